/**
 * How far back service may be dated. Within `backdatingDaysMax` (90 days) whoever records may
 * date it; beyond that only an administrator, with a reason the event keeps, and never beyond
 * `adminBackdatingDaysMax` (1,826 days, five years). Nobody may date service before the
 * volunteer reached `registrationAgeYearsMin` (14).
 */
import t, { type Test } from 'tap';
import {
  assertValidRules,
  DEFAULT_LEDGER_RULES,
  nationalIdCheckCharacter,
  type CommandInput,
  type DomainEvent,
} from '../src/index.js';
import { record, register, VOLUNTEER_ID } from './support/fixtures.js';
import { ADMIN, given, history, lastRecordId, ORGANISER, testContext } from './support/scenario.js';

// NOW is 2026-03-10T04:00Z, 12:00 on 2026-03-10 local (UTC+8). The default volunteer was born in 1949.

const REASON = 'brought in from the paper register of the Qiaoxi station';

/** Service from `startAt` for two hours, recorded by `actor`. */
function serviceAt(
  startAt: string,
  actor: CommandInput['actor'],
  extra: Record<string, unknown> = {},
): CommandInput {
  const endAt = new Date(Date.parse(startAt) + 2 * 3_600_000).toISOString();
  return record(0, 0, { actor, startAt, endAt, ...extra });
}

function idBornOn(yyyymmdd: string): string {
  const body = `110105${yyyymmdd}002`;
  return body + nationalIdCheckCharacter(body);
}

const adult = (t: Test): DomainEvent[] => history(t, [register()]);

/** A volunteer who turned 14 on 2026-02-20 and registered with a guardian. */
const youngVolunteer = (t: Test): DomainEvent[] =>
  history(t, [
    register({
      nationalIdNumber: idBornOn('20120220'),
      guardian: { name: 'Li Fang', contact: '13900000000', consentGiven: true },
    }),
  ]);

t.test('an administrator dating service on 1900-01-01 fails SERVICE_BEFORE_BACKDATING_FLOOR', async (t) => {
  given(t, adult(t))
    .when(serviceAt('1900-01-01T01:00:00.000Z', ADMIN, { backdatingReason: REASON }))
    .thenFails('SERVICE_BEFORE_BACKDATING_FLOOR', { adminBackdatingDaysMax: 1826 });
});

t.test('the floor lies adminBackdatingDaysMax days before now, to the millisecond', async (t) => {
  const floorMs = Date.parse('2026-03-10T04:00:00.000Z') - 1826 * 86_400_000;
  given(t, adult(t))
    .when(serviceAt(new Date(floorMs - 60_000).toISOString(), ADMIN, { backdatingReason: REASON }))
    .thenFails('SERVICE_BEFORE_BACKDATING_FLOOR');
  given(t, adult(t))
    .when(serviceAt(new Date(floorMs).toISOString(), ADMIN, { backdatingReason: REASON }))
    .then([{ type: 'ServiceHoursRecorded' }]);
});

t.test('beyond the window an administrator must give a reason, and the event records it', async (t) => {
  given(t, adult(t))
    .when(serviceAt('2023-05-01T01:00:00.000Z', ADMIN))
    .thenFails('BACKDATING_REASON_REQUIRED', { backdatingDaysMax: 90 });
  given(t, adult(t))
    .when(serviceAt('2023-05-01T01:00:00.000Z', ADMIN, { backdatingReason: '\u202Ehidden' }))
    .thenFails('INVALID_COMMAND', { path: 'backdatingReason' });
  given(t, adult(t))
    .when(serviceAt('2023-05-01T01:00:00.000Z', ADMIN, { backdatingReason: REASON }))
    .then([
      {
        type: 'ServiceHoursRecorded',
        data: { startAt: '2023-05-01T01:00:00.000Z', backdatingReason: REASON, actor: ADMIN },
      },
    ]);
});

t.test('within the window no reason is needed, and an organiser may not go beyond it', async (t) => {
  given(t, adult(t))
    .when(serviceAt('2026-01-05T01:00:00.000Z', ORGANISER))
    .then([{ type: 'ServiceHoursRecorded' }]);
  given(t, adult(t))
    .when(serviceAt('2023-05-01T01:00:00.000Z', ORGANISER, { backdatingReason: REASON }))
    .thenFails('SERVICE_TOO_OLD');
});

t.test('no service starts before the volunteer was 14, even by an administrator', async (t) => {
  const events = youngVolunteer(t);
  given(t, events)
    .when(serviceAt('2026-02-10T01:00:00.000Z', ORGANISER))
    .thenFails('SERVICE_BEFORE_MINIMUM_AGE', { registrationAgeYearsMin: 14 });
  given(t, events)
    .when(serviceAt('2025-06-01T01:00:00.000Z', ADMIN, { backdatingReason: REASON }))
    .thenFails('SERVICE_BEFORE_MINIMUM_AGE');
  // The birthday starts at local midnight: 2026-02-19T16:00Z in UTC+8.
  given(t, events)
    .when(serviceAt('2026-02-19T15:59:00.000Z', ORGANISER))
    .thenFails('SERVICE_BEFORE_MINIMUM_AGE');
  given(t, events)
    .when(serviceAt('2026-02-19T16:00:00.000Z', ORGANISER))
    .then([{ type: 'ServiceHoursRecorded' }]);
});

t.test('a correction obeys the same floor, and its note is the override reason', async (t) => {
  const events = history(t, [record(9, 11)], testContext(), adult(t));
  const recordId = lastRecordId(events);
  const correct = (fields: Record<string, unknown>): CommandInput => ({
    type: 'CorrectServiceRecord',
    idempotencyKey: `correct-${JSON.stringify(fields)}`,
    actor: ADMIN,
    volunteerId: VOLUNTEER_ID,
    recordId,
    reasonCode: 'wrong_time',
    startAt: '2023-05-01T01:00:00.000Z',
    endAt: '2023-05-01T03:00:00.000Z',
    ...fields,
  });
  given(t, events).when(correct({})).thenFails('BACKDATING_REASON_REQUIRED');
  given(t, events)
    .when(correct({ startAt: '1900-01-01T01:00:00.000Z', endAt: '1900-01-01T03:00:00.000Z', note: REASON }))
    .thenFails('SERVICE_BEFORE_BACKDATING_FLOOR');
  given(t, events)
    .when(correct({ note: REASON }))
    .then([{ type: 'ServiceRecordCorrected', data: { note: REASON } }]);
});

t.test('a stream registered before birth dates were kept is held to the floor only', async (t) => {
  const events = adult(t).map((event) => {
    if (event.type !== 'VolunteerRegistered') return event;
    const { birthDate: _omitted, ...data } = event.data;
    return { ...event, data };
  });
  given(t, events)
    .when(serviceAt('2023-05-01T01:00:00.000Z', ADMIN, { backdatingReason: REASON }))
    .then([{ type: 'ServiceHoursRecorded' }]);
  given(t, events)
    .when(serviceAt('1900-01-01T01:00:00.000Z', ADMIN, { backdatingReason: REASON }))
    .thenFails('SERVICE_BEFORE_BACKDATING_FLOOR');
});

t.test('the floor is policy: a shorter adminBackdatingDaysMax refuses older service', async (t) => {
  const rules = { ...DEFAULT_LEDGER_RULES, adminBackdatingDaysMax: 365 };
  given(t, adult(t), testContext({ rules }))
    .when(serviceAt('2024-05-01T01:00:00.000Z', ADMIN, { backdatingReason: REASON }))
    .thenFails('SERVICE_BEFORE_BACKDATING_FLOOR', { adminBackdatingDaysMax: 365 });
});

t.test(
  'rules whose floor is shorter than the window, or with a negative age, fail at start-up',
  async (t) => {
    t.doesNotThrow(() => assertValidRules(DEFAULT_LEDGER_RULES), 'the defaults are valid');
    t.throws(
      () => assertValidRules({ ...DEFAULT_LEDGER_RULES, adminBackdatingDaysMax: 30 }),
      /adminBackdatingDaysMax is shorter than backdatingDaysMax/,
    );
    t.throws(
      () => assertValidRules({ ...DEFAULT_LEDGER_RULES, registrationAgeYearsMin: -1 }),
      /registrationAgeYearsMin/,
    );
    t.throws(() => assertValidRules({ ...DEFAULT_LEDGER_RULES, adultAgeYears: 0 }), /adultAgeYears/);
  },
);
