import t, { type Test } from 'tap';
import { confirm, local, record, register, VOLUNTEER_ID } from './support/fixtures.js';
import {
  ADMIN,
  DESK,
  given,
  history,
  lastRecordId,
  ORGANISER,
  OTHER_ORGANISER,
  testContext,
} from './support/scenario.js';
import type { CommandInput, DomainEvent } from '../src/index.js';

function registered(t: Test): DomainEvent[] {
  return history(t, [register()]);
}

/** Records and confirms one service; returns the events and the record id. */
function confirmedService(t: Test, from: DomainEvent[], fromHour: number, toHour: number, day = 9) {
  const recorded = history(t, [record(fromHour, toHour, {}, day)], testContext(), from);
  const recordId = lastRecordId(recorded);
  return { events: history(t, [confirm(recordId)], testContext(), recorded), recordId };
}

const correct = (recordId: string, fields: Record<string, unknown>): CommandInput => ({
  type: 'CorrectServiceRecord',
  idempotencyKey: `correct-${recordId}-${JSON.stringify(fields)}`,
  actor: ORGANISER,
  volunteerId: VOLUNTEER_ID,
  recordId,
  reasonCode: 'wrong_time',
  note: 'end time was entered wrongly',
  ...fields,
});

const voidRecord = (recordId: string): CommandInput => ({
  type: 'VoidServiceRecord',
  idempotencyKey: `void-${recordId}`,
  actor: ORGANISER,
  volunteerId: VOLUNTEER_ID,
  recordId,
  reasonCode: 'duplicate_record',
  note: '',
});

t.test('RecordServiceHours records a pending record in whole minutes', async (t) => {
  given(t, registered(t))
    .when(record(9, 11))
    .then([
      {
        type: 'ServiceHoursRecorded',
        data: {
          volunteerId: VOLUNTEER_ID,
          startAt: local(9, 9),
          endAt: local(9, 11),
          durationMinutes: 120,
          actor: ORGANISER,
        },
      },
    ]);
});

t.test('service times with seconds or milliseconds are refused, never cut to the minute', async (t) => {
  const base = registered(t);
  given(t, base)
    .when(record(9, 11, { startAt: '2026-03-09T01:00:42.000Z' }))
    .thenFails('INVALID_COMMAND', { path: 'startAt' });
  given(t, base)
    .when(record(9, 11, { endAt: '2026-03-09T03:00:00.001Z' }))
    .thenFails('INVALID_COMMAND', { path: 'endAt' });
  const { events, recordId } = confirmedService(t, base, 9, 11);
  given(t, events)
    .when(correct(recordId, { startAt: '2026-03-09T01:30:30.000Z' }))
    .thenFails('INVALID_COMMAND', { path: 'startAt' });
});

t.test('intake rejections', async (t) => {
  const base = registered(t);
  const { events } = confirmedService(t, base, 9, 11);
  given(t, events).when(record(10, 12)).thenFails('SERVICE_RECORD_OVERLAP');
  given(t, base)
    .when(record(8, 20.5))
    .thenFails('SERVICE_RECORD_TOO_LONG', { durationMinutes: 750, serviceRecordMinutesMax: 720 });
  const long = history(t, [record(0, 12)], testContext(), base);
  given(t, long)
    .when(record(13, 18))
    .thenFails('DAILY_HOURS_EXCEEDED', { totalMinutes: 17 * 60 });
  given(t, long)
    .when(record(13, 17))
    .then([{ type: 'ServiceHoursRecorded' }]);
  given(t, base)
    .when(record(11, 13, {}, 10))
    .thenFails('SERVICE_END_IN_FUTURE');
  given(t, base)
    .when(record(9, 11, { startAt: '2025-11-01T01:00:00.000Z', endAt: '2025-11-01T03:00:00.000Z' }))
    .thenFails('SERVICE_TOO_OLD');
  given(t, base)
    .when(
      record(9, 11, {
        actor: ADMIN,
        startAt: '2025-11-01T01:00:00.000Z',
        endAt: '2025-11-01T03:00:00.000Z',
        backdatingReason: 'paper register of the Qiaoxi station',
      }),
    )
    .then([
      {
        type: 'ServiceHoursRecorded',
        data: { durationMinutes: 120, backdatingReason: 'paper register of the Qiaoxi station' },
      },
    ]);
  given(t, base).when(record(11, 10)).thenFails('SERVICE_END_BEFORE_START');
  given(t, base).when(record(10, 10)).thenFails('SERVICE_END_BEFORE_START');
  // Half a minute cannot be asked for: times are whole minutes, so the end names the problem.
  given(t, base)
    .when(record(10, 10, { startAt: '2026-03-09T02:00:00.000Z', endAt: '2026-03-09T02:00:30.000Z' }))
    .thenFails('INVALID_COMMAND', { path: 'endAt' });
  given(t, base)
    .when(record(9, 11, { actor: OTHER_ORGANISER }))
    .thenFails('NOT_ORGANISING_ORGANISATION');
});

t.test('a day cap counts local days: a record across local midnight counts on both', async (t) => {
  const base = history(t, [record(8, 20, {}, 8)], testContext(), registered(t));
  // 20:00 on the 8th to 04:00 on the 9th: 4 h on the 8th (16 h total, allowed) and 4 h on the 9th.
  given(t, base)
    .when(record(20, 28, {}, 8))
    .then([{ type: 'ServiceHoursRecorded', data: { durationMinutes: 480 } }]);
  given(t, base)
    .when(record(19.5, 28, {}, 8))
    .thenFails('SERVICE_RECORD_OVERLAP');
  const full = history(t, [record(20, 28, {}, 8)], testContext(), base);
  given(t, full)
    .when(record(4, 16, {}, 9))
    .then([{ type: 'ServiceHoursRecorded' }]);
  given(t, full)
    .when(record(4, 17, {}, 9))
    .thenFails('SERVICE_RECORD_TOO_LONG');
});

t.test('ConfirmServiceHours earns hours x rate x quality multiplier', async (t) => {
  const recorded = history(t, [record(9, 11.5)], testContext(), registered(t));
  const recordId = lastRecordId(recorded);
  given(t, recorded)
    .when(confirm(recordId, 'good'))
    .then([
      { type: 'ServiceHoursConfirmed', data: { recordId, qualityGrade: 'good', actor: ORGANISER } },
      {
        type: 'PointsEarned',
        data: {
          recordId,
          fromAccount: 'issuance',
          toAccount: `volunteer:${VOLUNTEER_ID}`,
          centipoints: 300, // 2.5 h x 100 x 120 %
          policyVersion: 0,
          qualityMultiplierPercent: 120,
          expiresAt: null,
        },
      },
    ]);
  given(t, recorded)
    .when({ ...confirm(recordId), actor: OTHER_ORGANISER })
    .thenFails('NOT_ORGANISING_ORGANISATION');
  given(t, recorded).when(confirm('no-such-record')).thenFails('SERVICE_RECORD_NOT_FOUND');
  const confirmed = history(t, [confirm(recordId)], testContext(), recorded);
  given(t, confirmed)
    .when(confirm(recordId))
    .thenFails('SERVICE_RECORD_NOT_PENDING', { status: 'confirmed' });
});

t.test('RejectServiceHours closes a pending record, which then blocks nothing', async (t) => {
  const recorded = history(t, [record(9, 11)], testContext(), registered(t));
  const recordId = lastRecordId(recorded);
  const reject = {
    type: 'RejectServiceHours',
    idempotencyKey: 'reject-1',
    actor: ORGANISER,
    volunteerId: VOLUNTEER_ID,
    recordId,
    reason: 'not at the activity',
  } as const;
  const rejected = [
    ...recorded,
    ...given(t, recorded)
      .when(reject)
      .then([{ type: 'ServiceHoursRejected', data: { recordId } }]),
  ];
  given(t, rejected).when(confirm(recordId)).thenFails('SERVICE_RECORD_NOT_PENDING', { status: 'rejected' });
  given(t, rejected)
    .when(record(9, 11))
    .then([{ type: 'ServiceHoursRecorded' }]);
  given(t, rejected).when(voidRecord(recordId)).thenFails('SERVICE_RECORD_CLOSED');
});

t.test('CorrectServiceRecord reverses the old record and applies the new one', async (t) => {
  const { events, recordId } = confirmedService(t, registered(t), 9, 11);
  const decided = given(t, events)
    .when(correct(recordId, { endAt: local(9, 10) }))
    .then([
      {
        type: 'ServiceRecordCorrected',
        data: {
          recordId,
          reasonCode: 'wrong_time',
          replacement: { durationMinutes: 60, status: 'confirmed', qualityGrade: 'standard' },
        },
      },
      {
        type: 'PointsReversed',
        data: {
          recordId,
          centipoints: 200,
          shortfallCentipoints: 0,
          fromAccount: `volunteer:${VOLUNTEER_ID}`,
          toAccount: 'issuance',
        },
      },
      { type: 'PointsEarned', data: { centipoints: 100 } },
    ]);
  const after = [...events, ...decided];
  given(t, after)
    .when(correct(recordId, { endAt: local(9, 12) }))
    .thenFails('SERVICE_RECORD_CLOSED', { status: 'corrected' });
  // The replacement may grow into its own old time, but not into another record's.
  const replacementId = lastRecordId(after);
  given(t, after)
    .when(correct(replacementId, { endAt: local(9, 11) }))
    .then([
      { type: 'ServiceRecordCorrected' },
      { type: 'PointsReversed' },
      { type: 'PointsEarned', data: { centipoints: 200 } },
    ]);
  const other = history(t, [record(12, 13)], testContext(), after);
  given(t, other)
    .when(correct(replacementId, { endAt: local(9, 12.5) }))
    .thenFails('SERVICE_RECORD_OVERLAP');
  given(t, after)
    .when({ ...correct(replacementId, { organisationId: 'org-9' }) })
    .thenFails('NOT_ORGANISING_ORGANISATION');
});

t.test('correcting a pending record keeps it pending and moves no points', async (t) => {
  const recorded = history(t, [record(9, 11)], testContext(), registered(t));
  given(t, recorded)
    .when(correct(lastRecordId(recorded), { activity: 'Reading to children', reasonCode: 'wrong_activity' }))
    .then([
      {
        type: 'ServiceRecordCorrected',
        data: { replacement: { status: 'pending', qualityGrade: null, activity: 'Reading to children' } },
      },
    ]);
});

t.test('VoidServiceRecord reverses points; spent points become a recorded shortfall', async (t) => {
  const { events, recordId } = confirmedService(t, registered(t), 9, 11);
  given(t, events)
    .when(voidRecord(recordId))
    .then([
      { type: 'ServiceRecordVoided', data: { recordId, reasonCode: 'duplicate_record' } },
      { type: 'PointsReversed', data: { centipoints: 200 } },
    ]);
  const spent = [
    ...events,
    {
      type: 'PointsHeld',
      data: {
        idempotencyKey: 'hold-x',
        fromAccount: `volunteer:${VOLUNTEER_ID}`,
        toAccount: `held:${VOLUNTEER_ID}`,
        centipoints: 150,
        volunteerId: VOLUNTEER_ID,
        holdId: 'h1',
        partnerId: 'p1',
        offerId: 'o1',
        heldAt: '2026-03-10T04:00:00.000Z',
        expiresAt: '2026-03-11T04:00:00.000Z',
        actor: { id: 'partner-user-1', role: 'partner', partnerId: 'p1' },
      },
    } satisfies DomainEvent,
  ];
  given(t, spent)
    .when(voidRecord(recordId))
    .then([
      { type: 'ServiceRecordVoided' },
      {
        type: 'PointsReversed',
        data: { centipoints: 50, earnedCentipoints: 200, shortfallCentipoints: 150 },
      },
    ]);
});

/** 150 of a confirmed record's points held by a partner, so only the rest is available. */
function withHeld(events: DomainEvent[], centipoints: number): DomainEvent[] {
  return [
    ...events,
    {
      type: 'PointsHeld',
      data: {
        idempotencyKey: 'hold-spent',
        fromAccount: `volunteer:${VOLUNTEER_ID}`,
        toAccount: `held:${VOLUNTEER_ID}`,
        centipoints,
        volunteerId: VOLUNTEER_ID,
        holdId: 'h-spent',
        partnerId: 'p1',
        offerId: 'o1',
        heldAt: '2026-03-10T04:00:00.000Z',
        expiresAt: '2026-03-11T04:00:00.000Z',
        actor: { id: 'partner-user-1', role: 'partner', partnerId: 'p1' },
      },
    } satisfies DomainEvent,
  ];
}

const availableAfter = (events: readonly DomainEvent[]): number =>
  events.reduce(
    (sum, event) =>
      event.type === 'PointsEarned'
        ? sum + event.data.centipoints
        : event.type === 'PointsReversed' || event.type === 'PointsHeld'
          ? sum - event.data.centipoints
          : sum,
    0,
  );

// Found over HTTP: a volunteer spent the points of a record, the organiser corrected the record
// (even changing nothing), and the volunteer had the points again. The old record's reversal could
// take back only what was available, while the replacement earned in full, so each correction of
// spent points minted them anew.
t.test(
  'a correction never gives back spent points: the shortfall comes out of the replacement',
  async (t) => {
    const { events, recordId } = confirmedService(t, registered(t), 9, 11);
    const spent = withHeld(events, 150);
    const unchanged = given(t, spent)
      .when(correct(recordId, { activity: 'Reading to children', reasonCode: 'wrong_activity' }))
      .then([
        { type: 'ServiceRecordCorrected' },
        {
          type: 'PointsReversed',
          data: { recordId, centipoints: 50, earnedCentipoints: 200, shortfallCentipoints: 150 },
        },
        { type: 'PointsEarned', data: { centipoints: 200 } },
        {
          type: 'PointsReversed',
          data: { recordId, centipoints: 150, earnedCentipoints: 0, shortfallCentipoints: 0 },
        },
      ]);
    t.equal(availableAfter([...spent, ...unchanged]), 50, 'still 50 available, as before the correction');

    const shorter = given(t, spent)
      .when(correct(recordId, { endAt: local(9, 10) }))
      .then([
        { type: 'ServiceRecordCorrected' },
        { type: 'PointsReversed', data: { centipoints: 50, shortfallCentipoints: 150 } },
        { type: 'PointsEarned', data: { centipoints: 100 } },
        {
          type: 'PointsReversed',
          data: { recordId, centipoints: 100, earnedCentipoints: 0, shortfallCentipoints: 50 },
        },
      ]);
    t.equal(availableAfter([...spent, ...shorter]), 0, 'the 50 overspent stay a recorded shortfall');
  },
);

t.test('a correction that drops hours below an awarded star flags the award for review', async (t) => {
  const context = testContext();
  let events = registered(t);
  // Nine days of 12 h = 108 h, enough for one star (100 h).
  for (let day = 1; day <= 9; day += 1) {
    events = history(t, [record(8, 20, {}, day)], context, events);
    events = history(t, [confirm(lastRecordId(events))], context, events);
  }
  events = history(
    t,
    [{ type: 'ApplyForStarRating', idempotencyKey: 'star-1', actor: DESK, volunteerId: VOLUNTEER_ID }],
    context,
    events,
  );
  t.equal(events.filter((event) => event.type === 'StarRatingAwarded').length, 1, 'one star awarded');
  const firstRecordId = events.find((event) => event.type === 'ServiceHoursRecorded')?.data.recordId ?? '';
  given(t, events)
    .when(voidRecord(firstRecordId))
    .then([
      { type: 'ServiceRecordVoided' },
      { type: 'PointsReversed' },
      {
        type: 'StarAwardFlaggedForReview',
        data: { level: 1, confirmedMinutes: 96 * 60, thresholdMinutes: 6000, recordId: firstRecordId },
      },
    ]);
});
