/**
 * ImportServiceRecord, RecordTraining and RecordCommendation (records exchanged with the national
 * platform): imported service is recorded, confirmed and earns points in one decision, under the
 * same intake rules; only an administrator imports; training and commendations are recorded by
 * the volunteer's desk or an administrator; the platform number is kept on registration.
 */
import t from 'tap';
import { local, record, register, VOLUNTEER_ID } from './support/fixtures.js';
import { ADMIN, DESK, given, history } from './support/scenario.js';
import { foldVolunteer, type CommandInput } from '../src/index.js';

const QIAOXI_DESK = { id: 'desk-q', role: 'registration_desk', organisationId: 'Qiaoxi' } as const;
const source = { system: 'national_platform', recordId: 'qr-1' } as const;

const importService = (
  fromHour: number,
  toHour: number,
  overrides: Record<string, unknown> = {},
): CommandInput => ({
  type: 'ImportServiceRecord',
  idempotencyKey: `import-${fromHour}-${toHour}`,
  actor: ADMIN,
  volunteerId: VOLUNTEER_ID,
  activity: '社区助老服务',
  organisationId: 'org-1',
  startAt: local(9, fromHour),
  endAt: local(9, toHour),
  qualityGrade: 'good',
  source,
  ...overrides,
});

t.test('imported service is recorded, confirmed and earns points in one decision', async (t) => {
  const registered = history(t, [register({ platformVolunteerNumber: 'P123' })]);
  t.equal(foldVolunteer(registered).platformVolunteerNumber, 'P123', 'the platform number is kept');
  given(t, registered)
    .when(importService(9, 11))
    .then([
      { type: 'ServiceHoursRecorded', data: { durationMinutes: 120, source } },
      { type: 'ServiceHoursConfirmed', data: { qualityGrade: 'good' } },
      { type: 'PointsEarned' },
    ]);
});

t.test('imported service meets the intake rules, and only an administrator imports', async (t) => {
  const recorded = history(t, [register(), record(9, 11)]);
  given(t, recorded).when(importService(10, 12)).thenFails('SERVICE_RECORD_OVERLAP');
  given(t, recorded)
    .when(importService(13, 14, { actor: DESK }))
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, recorded)
    .when(importService(13, 14, { endAt: local(20, 10) }))
    .thenFails('SERVICE_END_IN_FUTURE');
  const again = history(t, [importService(13, 14)], undefined, recorded);
  given(t, again).when(importService(13, 14)).then([]);
});

t.test("training and commendations: the volunteer's desk or an administrator records them", async (t) => {
  const registered = history(t, [register()]);
  const training: CommandInput = {
    type: 'RecordTraining',
    idempotencyKey: 'training-1',
    actor: QIAOXI_DESK,
    volunteerId: VOLUNTEER_ID,
    title: '急救知识培训',
    provider: '红十字会',
    completedOn: '2026-03-01',
    durationMinutes: 90,
  };
  const events = given(t, registered)
    .when(training)
    .then([{ type: 'TrainingRecorded', data: { title: '急救知识培训', durationMinutes: 90 } }]);
  t.equal(foldVolunteer([...registered, ...events]).trainings.length, 1);
  given(t, registered)
    .when({ ...training, actor: DESK })
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, registered)
    .when({
      type: 'RecordCommendation',
      idempotencyKey: 'commendation-1',
      actor: ADMIN,
      volunteerId: VOLUNTEER_ID,
      title: '优秀志愿者',
      awardedBy: '长安区民政局',
      awardedOn: '2026-03-05',
    })
    .then([{ type: 'CommendationRecorded', data: { awardedBy: '长安区民政局' } }]);
  given(t, registered)
    .when({ ...training, completedOn: '2026-02-30' })
    .thenFails('INVALID_COMMAND');
});

// QA: a training "completed" in 2099 or a commendation "awarded" in 2126 was recorded and then
// printed on certificates as fact.
t.test('a training or commendation dated after the local today is refused', async (t) => {
  const registered = history(t, [register()]);
  given(t, registered)
    .when({
      type: 'RecordTraining',
      idempotencyKey: 'training-future',
      actor: ADMIN,
      volunteerId: VOLUNTEER_ID,
      title: '急救知识培训',
      provider: '石家庄市红十字会',
      completedOn: '2099-01-01',
      durationMinutes: 90,
    })
    .thenFails('RECORD_DATE_IN_FUTURE');
  given(t, registered)
    .when({
      type: 'RecordCommendation',
      idempotencyKey: 'commendation-future',
      actor: ADMIN,
      volunteerId: VOLUNTEER_ID,
      title: '优秀志愿者',
      awardedBy: '长安区民政局',
      awardedOn: '2126-10-01',
    })
    .thenFails('RECORD_DATE_IN_FUTURE');
});

// A training "completed" or a commendation "awarded" before the volunteer was born (a year off by a
// century, the birth date typed for the event's) was recorded and printed on certificates as fact.
// The volunteer of these tests was born on 1949-12-31 (NATIONAL_ID).
t.test('a training or commendation dated before the volunteer was born is refused', async (t) => {
  const registered = history(t, [register()]);
  const training: CommandInput = {
    type: 'RecordTraining',
    idempotencyKey: 'training-before-birth',
    actor: ADMIN,
    volunteerId: VOLUNTEER_ID,
    title: '急救知识培训',
    provider: '石家庄市红十字会',
    completedOn: '1949-12-30',
    durationMinutes: 90,
  };
  given(t, registered).when(training).thenFailsTelling('RECORD_DATE_BEFORE_BIRTH', { path: 'completedOn' });
  const commendation: CommandInput = {
    type: 'RecordCommendation',
    idempotencyKey: 'commendation-before-birth',
    actor: ADMIN,
    volunteerId: VOLUNTEER_ID,
    title: '优秀志愿者',
    awardedBy: '长安区民政局',
    awardedOn: '1926-10-01',
  };
  given(t, registered).when(commendation).thenFailsTelling('RECORD_DATE_BEFORE_BIRTH', { path: 'awardedOn' });
  given(t, registered)
    .when({ ...training, completedOn: '1949-12-31' })
    .then([{ type: 'TrainingRecorded', data: { completedOn: '1949-12-31' } }]);

  // A stream registered before the birth date was kept knows none: nothing to check against.
  const withoutBirthDate = registered.map((event) => {
    if (event.type !== 'VolunteerRegistered') return event;
    const { birthDate: _birthDate, ...data } = event.data;
    return { ...event, data };
  });
  t.equal(foldVolunteer(withoutBirthDate).birthDate, null);
  given(t, withoutBirthDate)
    .when(training)
    .then([{ type: 'TrainingRecorded' }]);
  given(t, withoutBirthDate)
    .when(commendation)
    .then([{ type: 'CommendationRecorded' }]);
});
