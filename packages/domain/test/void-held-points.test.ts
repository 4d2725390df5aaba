/**
 * Voiding a record while its points sit in partners' holds. The void takes back what is available;
 * the rest is a shortfall. Found over HTTP: when the partner then released the holds, the points
 * came back to the volunteer, spendable, with no hours behind them (a fraudulent record voided,
 * 800 points kept). Now a hold that was pending at the void gives its points to the shortfall when
 * it is released or expires; a captured one was spent, and the shortfall stays for review.
 */
import t, { type Test } from 'tap';
import { confirm, hold, record, VOLUNTEER_ID } from './support/fixtures.js';
import { partnerContext, volunteerWithHours } from './support/points-setup.js';
import { history, lastRecordId, ORGANISER, PARTNER_USER, SYSTEM } from './support/scenario.js';
import { computeBalances, foldVolunteer, type CommandInput, type DomainEvent } from '../src/index.js';

const holdIdsOf = (events: readonly DomainEvent[]): string[] =>
  events.flatMap((event) => (event.type === 'PointsHeld' ? [event.data.holdId] : []));

const settle = (type: 'CapturePoints' | 'ReleasePoints', holdId: string): CommandInput => ({
  type,
  idempotencyKey: `${type}-${holdId}`,
  actor: PARTNER_USER,
  volunteerId: VOLUNTEER_ID,
  holdId,
  partnerId: 'p1',
});

const voidFraud = (recordId: string): CommandInput => ({
  type: 'VoidServiceRecord',
  idempotencyKey: `void-${recordId}`,
  actor: ORGANISER,
  volunteerId: VOLUNTEER_ID,
  recordId,
  reasonCode: 'fraudulent_record',
});

/** What the last command appended, as [type, centipoints, shortfall]. */
const appended = (before: readonly DomainEvent[], after: readonly DomainEvent[]) =>
  after.slice(before.length).map((event) => {
    const data = event.data as { centipoints?: number; shortfallCentipoints?: number };
    return [event.type, data.centipoints, data.shortfallCentipoints];
  });

/** 10 hours (1,000 centipoints) and, before the void, two holds of 500 (`timeoutSeconds` for the first). */
function heldThenVoided(t: Test, hours: number) {
  const context = partnerContext(t);
  let events = volunteerWithHours(t, hours, context);
  const recordId = lastRecordId(events);
  events = history(t, [hold(500, { holdTimeoutSeconds: 60 }), hold(500)], context, events);
  const holds = holdIdsOf(events);
  events = history(t, [voidFraud(recordId)], context, events);
  return { context, events, holds, recordId };
}

t.test('a hold pending at the void gives its points to the shortfall when released or expired', async (t) => {
  const { context, events: voided, holds } = heldThenVoided(t, 12);
  t.match(
    voided.at(-1),
    { type: 'PointsReversed', data: { centipoints: 200, shortfallCentipoints: 1000 } },
    'the void takes the 200 available; 1,000 sit in holds',
  );
  const released = history(t, [settle('ReleasePoints', holds[1]!)], context, voided);
  t.same(
    appended(voided, released),
    [
      ['PointsReleased', 500, undefined],
      ['PointsReversed', 500, 500],
    ],
    'the released 500 go to the shortfall, in the same decision',
  );
  const later = partnerContext(t, { now: '2026-03-10T05:00:00.000Z' });
  const expired = history(
    t,
    [
      {
        type: 'ExpireHold',
        idempotencyKey: 'expire',
        actor: SYSTEM,
        volunteerId: VOLUNTEER_ID,
        holdId: holds[0]!,
      },
    ],
    later,
    released,
  );
  t.same(
    appended(released, expired),
    [
      ['PointsHoldExpired', 500, undefined],
      ['PointsReversed', 500, 0],
    ],
    'so do the expired 500',
  );
  const state = foldVolunteer(expired);
  t.equal(state.availableCentipoints, 0, 'nothing of the voided record is left to spend');
  t.equal(state.recoverableShortfalls.size, 0, 'and nothing left to recover');
  t.equal(computeBalances(expired).get(`volunteer:${VOLUNTEER_ID}`) ?? 0, 0);
});

t.test('a captured hold was spent: the shortfall stays for review', async (t) => {
  const { context, events: voided, holds } = heldThenVoided(t, 10);
  const captured = history(t, [settle('CapturePoints', holds[0]!)], context, voided);
  t.same(appended(voided, captured), [['PointsCaptured', 500, undefined]], 'nothing taken from a capture');
  const released = history(t, [settle('ReleasePoints', holds[1]!)], context, captured);
  t.same(appended(captured, released), [
    ['PointsReleased', 500, undefined],
    ['PointsReversed', 500, 500],
  ]);
  t.equal(foldVolunteer(released).availableCentipoints, 0);
  t.equal(foldVolunteer(released).recoverableShortfalls.size, 0, '500 spent at the partner: a shortfall');
  t.equal(computeBalances(released).get('partner:p1'), 500);
});

t.test(
  "a hold made after the void holds the volunteer's own points: its release takes nothing",
  async (t) => {
    const { context, events: voided, holds } = heldThenVoided(t, 10);
    let events = history(t, [record(8, 18, {}, 8)], context, voided);
    events = history(t, [confirm(lastRecordId(events))], context, events);
    events = history(t, [hold(500)], context, events);
    const afterVoid = holdIdsOf(events).find((holdId) => !holds.includes(holdId))!;
    const released = history(t, [settle('ReleasePoints', afterVoid)], context, events);
    t.same(appended(events, released), [['PointsReleased', 500, undefined]]);
    const first = history(t, [settle('ReleasePoints', holds[0]!)], context, released);
    t.same(appended(released, first), [
      ['PointsReleased', 500, undefined],
      ['PointsReversed', 500, 500],
    ]);
    t.equal(foldVolunteer(first).availableCentipoints, 1000, 'the second record’s 1,000 stay');
  },
);
