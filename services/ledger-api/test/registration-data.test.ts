/**
 * Registration data that cannot be true is refused over HTTP: the birth
 * date inside the ID number, the minimum age and a minor's guardian, text that prints blank or
 * reorders itself, and service dated before the volunteer could have served.
 */
import t, { type Test } from 'tap';
import { nationalIdCheckCharacter } from '@timebank/domain';
import { hoursAgo, startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

/** A resident ID number born on `yyyymmdd` (local date) with a correct check character. */
function idBornOn(yyyymmdd: string, sequence = 1): string {
  const body = `130102${yyyymmdd}${String(sequence).padStart(3, '0')}`;
  return body + nationalIdCheckCharacter(body);
}

/** `YYYYMMDD` of the local (UTC+8) day `years` years before today, shifted by `days`. */
function localDateYearsAgo(years: number, days = 0): string {
  const local = new Date(Date.now() + 8 * 3_600_000);
  const date = new Date(
    Date.UTC(local.getUTCFullYear() - years, local.getUTCMonth(), local.getUTCDate() + days),
  );
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

const GUARDIAN = { name: '王芳', contact: '13900000000', consentGiven: true };

function registerAs(w: World, fields: Record<string, unknown>) {
  return w.post('/v1/volunteers', w.desk, {
    name: 'Li Hua',
    nationalIdNumber: idBornOn('19900101'),
    phone: '13800000000',
    community: 'c1',
    ...fields,
  });
}

async function expectProblem(
  t: Test,
  response: Awaited<ReturnType<World['post']>>,
  status: number,
  code: string,
): Promise<void> {
  t.equal(response.statusCode, status, `${code}: status`);
  t.equal(problemOf(t, response).code, code);
}

t.test('the birth date inside the ID number must be a real date, not in the future', async (t) => {
  const w = await startWorld(t);
  const head = await w.store.headPosition();
  await expectProblem(
    t,
    await registerAs(w, { nationalIdNumber: idBornOn('20990101') }),
    422,
    'NATIONAL_ID_BIRTH_DATE_INVALID',
  );
  await expectProblem(
    t,
    await registerAs(w, { nationalIdNumber: idBornOn('19901301') }),
    422,
    'NATIONAL_ID_BIRTH_DATE_INVALID',
  );
  await expectProblem(
    t,
    await registerAs(w, { nationalIdNumber: idBornOn('19900230') }),
    422,
    'NATIONAL_ID_BIRTH_DATE_INVALID',
  );
  t.equal(await w.store.headPosition(), head, 'nothing was appended');
});

t.test('a 6-year-old is too young; a minor registers only with a guardian', async (t) => {
  const w = await startWorld(t);
  await expectProblem(
    t,
    await registerAs(w, { nationalIdNumber: idBornOn(localDateYearsAgo(6)), guardian: GUARDIAN }),
    422,
    'VOLUNTEER_TOO_YOUNG',
  );
  // One day short of the fourteenth birthday.
  await expectProblem(
    t,
    await registerAs(w, { nationalIdNumber: idBornOn(localDateYearsAgo(14, 1)), guardian: GUARDIAN }),
    422,
    'VOLUNTEER_TOO_YOUNG',
  );
  const minor = idBornOn(localDateYearsAgo(15));
  await expectProblem(t, await registerAs(w, { nationalIdNumber: minor }), 422, 'GUARDIAN_CONSENT_REQUIRED');
  await expectProblem(
    t,
    await registerAs(w, { nationalIdNumber: minor, guardian: { ...GUARDIAN, consentGiven: false } }),
    422,
    'GUARDIAN_CONSENT_REQUIRED',
  );
  const missingContact = await registerAs(w, {
    nationalIdNumber: minor,
    guardian: { name: GUARDIAN.name, consentGiven: true },
  });
  t.equal(missingContact.statusCode, 400);
  t.ok(problemOf(t, missingContact).errors?.some((issue) => issue.field === 'body.guardian.contact'));

  const registered = await registerAs(w, { nationalIdNumber: minor, guardian: GUARDIAN });
  t.equal(registered.statusCode, 201, registered.body);
  const { volunteerId } = registered.json<{ volunteerId: string }>();
  const history = await w.get(`/v1/volunteers/${volunteerId}/history`, w.desk);
  const [event] = history.json<{ events: { type: string; data: Record<string, unknown> }[] }>().events;
  t.equal(event?.type, 'VolunteerRegistered');
  t.same(event?.data.guardian, GUARDIAN, "the guardian's consent is recorded in the event");
});

t.test('names that print blank, reorder themselves or break lines are 400 naming the field', async (t) => {
  const w = await startWorld(t);
  const head = await w.store.headPosition();
  const hostile = {
    'zero-width only': '\u200b\u200c\u200d',
    'a right-to-left override': 'Li \u202eauH',
    'a NUL': 'Li\u0000Hua',
    'a newline': 'Li\nHua',
    'digits only': '12345',
  };
  let sequence = 10;
  for (const [label, name] of Object.entries(hostile)) {
    sequence += 1;
    const response = await registerAs(w, { name, nationalIdNumber: idBornOn('19900101', sequence) });
    t.equal(response.statusCode, 400, label);
    const problem = problemOf(t, response);
    t.equal(problem.code, 'VALIDATION_FAILED');
    t.same(
      problem.errors?.map((issue) => issue.field),
      ['body.name'],
      `${label}: the field is named`,
    );
  }
  t.equal(await w.store.headPosition(), head, 'nothing was appended');

  for (const name of ['李华', 'محمد علي', 'Ana 👩‍👩‍👧']) {
    sequence += 1;
    const response = await registerAs(w, { name, nationalIdNumber: idBornOn('19900101', sequence) });
    t.equal(response.statusCode, 201, `${name} is a valid name`);
  }
});

t.test('the same text rules hold on every free-text field a route takes', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(7);
  const bad = 'Reading\u202e to elders';
  const cases: [string, string, Record<string, unknown>, string][] = [
    [
      `/v1/volunteers/${volunteerId}/service-records`,
      w.organiser,
      { activity: bad, organisationId: 'org1', startAt: hoursAgo(3), endAt: hoursAgo(2) },
      'body.activity',
    ],
    [
      '/v1/partners/p1/offers',
      w.partner,
      { offerId: 'tea', title: bad, priceCentipoints: 100 },
      'body.title',
    ],
    [
      '/v1/admin/partners',
      w.admin,
      { partnerId: 'p9', name: 'Tea\u0000house', community: 'c1' },
      'body.name',
    ],
    [
      '/v1/admin/organisations',
      w.admin,
      { organisationId: 'o9', name: '\u2066\u2069', community: 'c1' },
      'body.name',
    ],
    ['/v1/admin/partners/p1/suspend', w.admin, { reason: 'late\npayments' }, 'body.reason'],
  ];
  for (const [url, key, payload, field] of cases) {
    const response = await w.post(url, key, payload);
    t.equal(response.statusCode, 400, url);
    t.ok(
      problemOf(t, response).errors?.some((issue) => issue.field === field),
      `${url}: ${field} is named`,
    );
  }
});

t.test('an administrator may back-date service, but not to 1900 and not without a reason', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(8);
  const url = `/v1/volunteers/${volunteerId}/service-records`;
  const service = (startAt: string, extra: Record<string, unknown> = {}) => ({
    activity: 'Paper records brought in',
    organisationId: 'org1',
    startAt,
    endAt: new Date(Date.parse(startAt) + 2 * 3_600_000).toISOString(),
    ...extra,
  });
  const reason = 'transcribed from the station register';
  await expectProblem(
    t,
    await w.post(url, w.admin, service('1900-01-01T01:00:00.000Z', { backdatingReason: reason })),
    422,
    'SERVICE_BEFORE_BACKDATING_FLOOR',
  );
  const yearAgo = hoursAgo(365 * 24);
  await expectProblem(t, await w.post(url, w.admin, service(yearAgo)), 422, 'BACKDATING_REASON_REQUIRED');
  await expectProblem(
    t,
    await w.post(url, w.organiser, service(yearAgo, { backdatingReason: reason })),
    422,
    'SERVICE_TOO_OLD',
  );
  const recorded = await w.post(url, w.admin, service(yearAgo, { backdatingReason: reason }));
  t.equal(recorded.statusCode, 201, recorded.body);
  const history = await w.get(`/v1/volunteers/${volunteerId}/history`, w.desk);
  const event = history
    .json<{ events: { type: string; data: Record<string, unknown> }[] }>()
    .events.find((candidate) => candidate.type === 'ServiceHoursRecorded');
  t.equal(event?.data.backdatingReason, reason, 'the reason is recorded in the event');
});

t.test('no service is dated before the volunteer turned 14', async (t) => {
  const w = await startWorld(t);
  // Turned 14 thirty days ago (local date), registered with a guardian.
  const registered = await registerAs(w, {
    nationalIdNumber: idBornOn(localDateYearsAgo(14, -30)),
    guardian: GUARDIAN,
  });
  t.equal(registered.statusCode, 201, registered.body);
  const { volunteerId } = registered.json<{ volunteerId: string }>();
  const url = `/v1/volunteers/${volunteerId}/service-records`;
  const before = await w.post(url, w.organiser, {
    activity: 'Reading to elders',
    organisationId: 'org1',
    startAt: hoursAgo(40 * 24 + 2),
    endAt: hoursAgo(40 * 24),
  });
  await expectProblem(t, before, 422, 'SERVICE_BEFORE_MINIMUM_AGE');
  const after = await w.post(url, w.organiser, {
    activity: 'Reading to elders',
    organisationId: 'org1',
    startAt: hoursAgo(20 * 24 + 2),
    endAt: hoursAgo(20 * 24),
  });
  t.equal(after.statusCode, 201, after.body);
});

t.test('a bulk activity back-dated by an administrator needs the reason too', async (t) => {
  const w = await startWorld(t);
  const volunteerIds = [await w.registerVolunteer(21), await w.registerVolunteer(22)];
  const startAt = hoursAgo(200 * 24);
  const activity = {
    activity: 'Winter clothing drive',
    organisationId: 'org1',
    startAt,
    endAt: new Date(Date.parse(startAt) + 3_600_000).toISOString(),
    volunteerIds,
  };
  const withoutReason = await w.post('/v1/activities', w.admin, activity);
  await expectProblem(t, withoutReason, 422, 'BULK_VALIDATION_FAILED');
  t.match(withoutReason.body, /BACKDATING_REASON_REQUIRED/);
  const withReason = await w.post('/v1/activities', w.admin, {
    ...activity,
    backdatingReason: 'sign-in sheet found in the archive',
  });
  t.equal(withReason.statusCode, 201, withReason.body);
});
