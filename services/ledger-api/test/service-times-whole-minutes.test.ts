/**
 * Service times are whole minutes: a start or end with seconds or milliseconds is refused with
 * `400 VALIDATION_FAILED` naming the field and nothing is written, instead of being cut to the
 * minute (which silently changed what the caller said). Whole minutes are stored as sent.
 */
import t from 'tap';
import { hoursAgo, startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('service records with seconds or milliseconds are refused, naming the field', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(1);
  const startAt = hoursAgo(5);
  const endAt = hoursAgo(3);
  const withSeconds = new Date(Date.parse(startAt) + 42_000).toISOString();
  const withMilliseconds = new Date(Date.parse(endAt) + 1).toISOString();
  const path = `/v1/volunteers/${volunteerId}/service-records`;
  const body = { activity: 'Reading to elders', organisationId: 'org1' };

  for (const [field, payload] of [
    ['body.startAt', { ...body, startAt: withSeconds, endAt }],
    ['body.endAt', { ...body, startAt, endAt: withMilliseconds }],
  ] as const) {
    const head = await w.store.headPosition();
    const refused = await w.post(path, w.organiser, payload);
    t.equal(refused.statusCode, 400, field);
    const problem = problemOf(t, refused);
    t.equal(problem.code, 'VALIDATION_FAILED');
    t.same(
      problem.errors?.map((error) => error.field),
      [field],
    );
    t.match(problem.errors?.[0]?.message, /whole minute/);
    t.equal(await w.store.headPosition(), head, 'nothing written');
  }

  const activity = await w.post('/v1/activities', w.organiser, {
    activity: 'Reading to elders',
    organisationId: 'org1',
    startAt: withSeconds,
    endAt,
    volunteerIds: [volunteerId],
  });
  t.equal(activity.statusCode, 400, `bulk activity too: ${activity.body}`);

  const recorded = await w.post(path, w.organiser, { ...body, startAt, endAt });
  t.equal(recorded.statusCode, 201, recorded.body);
  const [stored] = (await w.store.readStream(`volunteer-${volunteerId}`)).filter(
    (event) => event.type === 'ServiceHoursRecorded',
  );
  t.match(stored?.data, { startAt, endAt, durationMinutes: 120 }, 'whole minutes are kept as sent');
});
