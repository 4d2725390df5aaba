/**
 * API keys point at something real: a key cannot be bound to an
 * organisation or partner that does not exist, and stops working while its organisation or
 * partner is suspended. The look-up by ID number tells a desk nothing about other communities,
 * and service a desk records is organised by its community.
 */
import t from 'tap';
import { hoursAgo, nationalIdNumber, startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('a key scoped to an unknown organisation or partner is refused; nothing is appended', async (t) => {
  const w = await startWorld(t);
  const head = await w.store.headPosition();
  const cases = [
    { role: 'organiser', scope: { kind: 'organisation', id: 'org-nobody' }, code: 'ORGANISATION_NOT_FOUND' },
    { role: 'partner', scope: { kind: 'partner', id: 'p-nobody' }, code: 'PARTNER_NOT_FOUND' },
  ] as const;
  for (const { role, scope, code } of cases) {
    const response = await w.post('/v1/admin/api-keys', w.admin, { role, scope, label: 'points at nothing' });
    t.equal(response.statusCode, 404, `${role} key for an unknown ${scope.kind}`);
    t.equal(problemOf(t, response).code, code);
  }
  t.equal(await w.store.headPosition(), head, 'no key issued, no idempotency record appended');
  t.notOk(
    w.context.keys.list().some((record) => record.label === 'points at nothing'),
    'the registry holds no such key',
  );

  const registered = await w.post('/v1/admin/api-keys', w.admin, {
    role: 'organiser',
    scope: { kind: 'organisation', id: 'org1' },
    label: 'a real organisation',
  });
  t.equal(registered.statusCode, 201, 'a key for a registered organisation is issued');
});

t.test('an organiser key stops working while its organisation is suspended', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(41);
  const record = (endHoursAgo: number) =>
    w.post(`/v1/volunteers/${volunteerId}/service-records`, w.organiser, {
      activity: 'Visiting elders',
      organisationId: 'org1',
      startAt: hoursAgo(endHoursAgo + 1),
      endAt: hoursAgo(endHoursAgo),
    });
  t.equal((await record(10)).statusCode, 201, 'works while the organisation is active');

  const suspended = await w.post('/v1/admin/organisations/org1/suspend', w.admin, { reason: 'audit' });
  t.equal(suspended.statusCode, 200);
  t.match(suspended.json(), { organisationId: 'org1', status: 'suspended' });
  const head = await w.store.headPosition();
  const refused = await record(20);
  t.equal(refused.statusCode, 403, 'refused while suspended');
  t.equal(problemOf(t, refused).code, 'API_KEY_SCOPE_INACTIVE');
  t.equal(await w.store.headPosition(), head, 'nothing appended');
  const again = await w.post('/v1/admin/organisations/org1/suspend', w.admin, { reason: 'audit' });
  t.equal(problemOf(t, again).code, 'ORGANISATION_SUSPENDED', 'suspending twice is a conflict');
  const unknown = await w.post('/v1/admin/organisations/org-nobody/suspend', w.admin, { reason: 'x' });
  t.equal(unknown.statusCode, 404);
  t.equal(problemOf(t, unknown).code, 'ORGANISATION_NOT_FOUND');

  const otherOrganisation = await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.otherOrganiser, {
    activity: 'Visiting elders',
    organisationId: 'org2',
    startAt: hoursAgo(31),
    endAt: hoursAgo(30),
  });
  t.equal(otherOrganisation.statusCode, 201, "another organisation's keys are unaffected");

  const reinstated = await w.post('/v1/admin/organisations/org1/reinstate', w.admin, {});
  t.match(reinstated.json(), { organisationId: 'org1', status: 'active' });
  t.equal((await record(40)).statusCode, 201, 'works again once reinstated');
});

t.test('a partner key stops working while its partner is suspended', async (t) => {
  const w = await startWorld(t);
  t.equal((await w.get('/v1/partners/p1/offers', w.partner)).statusCode, 200);
  await w.post('/v1/admin/partners/p1/suspend', w.admin, { reason: 'audit' });
  const refused = await w.get('/v1/partners/p1/offers', w.partner);
  t.equal(refused.statusCode, 403, 'even a read is refused');
  t.equal(problemOf(t, refused).code, 'API_KEY_SCOPE_INACTIVE');
  t.equal((await w.get('/v1/partners/p1/offers', w.admin)).statusCode, 200, 'an administrator still reads');
  await w.post('/v1/admin/partners/p1/reinstate', w.admin, {});
  t.equal((await w.get('/v1/partners/p1/offers', w.partner)).statusCode, 200, 'works again once reinstated');
});

t.test("a desk's look-up of another community's volunteer is answered as for nobody", async (t) => {
  const w = await startWorld(t);
  await w.registerVolunteer(51, 'c1');
  const lookup = (seed: number) =>
    w.app.inject({
      method: 'POST',
      url: '/v1/volunteers/lookup',
      headers: { authorization: w.otherDesk, 'x-request-id': `lookup-${seed}` },
      payload: { nationalIdNumber: nationalIdNumber(seed) },
    });
  const elsewhere = await lookup(51);
  const nowhere = await lookup(52);
  t.equal(elsewhere.statusCode, 404, 'registered in another community');
  t.equal(nowhere.statusCode, 404, 'registered nowhere');
  t.equal(problemOf(t, elsewhere).code, 'VOLUNTEER_NOT_FOUND');
  t.equal(elsewhere.body, nowhere.body, 'byte-identical bodies');
  const comparable = (headers: Record<string, unknown>) => {
    // The request id, the date and the caller's own rate-limit count differ between any two answers.
    const { 'x-request-id': _id, date: _date, 'x-ratelimit-remaining': _left, ...rest } = headers;
    return rest;
  };
  t.same(comparable(elsewhere.headers), comparable(nowhere.headers), 'the same headers but the request id');
  t.not(elsewhere.headers['x-request-id'], nowhere.headers['x-request-id']);

  const own = await w.app.inject({
    method: 'POST',
    url: '/v1/volunteers/lookup',
    headers: { authorization: w.desk },
    payload: { nationalIdNumber: nationalIdNumber(51) },
  });
  t.equal(own.statusCode, 200, "the volunteer's own desk finds them");
});

t.test("a desk's look-up by volunteer number of another community's volunteer reads as nobody", async (t) => {
  const w = await startWorld(t);
  const registered = await w.post('/v1/volunteers', w.desk, {
    name: 'Zhao Lei',
    nationalIdNumber: nationalIdNumber(71),
    phone: '+86-311-5550000',
    community: 'c1',
  });
  const { volunteerNumber, position } = registered.json<{ volunteerNumber: string; position: string }>();
  const byNumber = (desk: string, number: string) =>
    w.get(`/v1/volunteers/by-number/${number}?minPosition=${position}`, desk);
  t.equal((await byNumber(w.desk, volunteerNumber)).statusCode, 200, 'its own desk finds the volunteer');
  const elsewhere = await byNumber(w.otherDesk, volunteerNumber);
  // Well formed (`TB` and 12 characters), held by nobody: a malformed number is a 400 instead.
  const nowhere = await byNumber(w.otherDesk, 'TB0000000000ZZ');
  t.equal(elsewhere.statusCode, 404, 'registered in another community');
  t.equal(problemOf(t, elsewhere).code, 'VOLUNTEER_NOT_FOUND');
  t.equal(nowhere.statusCode, 404, 'registered nowhere');
  t.equal(problemOf(t, nowhere).code, 'VOLUNTEER_NOT_FOUND');
});

t.test('a desk records service organised by its community; an administrator confirms it', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(61, 'c1');
  const base = `/v1/volunteers/${volunteerId}/service-records`;
  const service = (organisationId: string, endHoursAgo: number) => ({
    activity: 'Community clean-up',
    organisationId,
    startAt: hoursAgo(endHoursAgo + 2),
    endAt: hoursAgo(endHoursAgo),
  });

  const asOrganisation = await w.post(base, w.desk, service('org1', 10));
  t.equal(asOrganisation.statusCode, 403, 'a desk cannot record for a registered organisation');
  t.equal(problemOf(t, asOrganisation).code, 'NOT_ORGANISING_ORGANISATION');

  const recorded = await w.post(base, w.desk, service('c1', 10));
  t.equal(recorded.statusCode, 201, 'a desk records naming its community id as organisationId');
  const { recordId } = recorded.json<{ recordId: string }>();

  const byDesk = await w.post(`${base}/${recordId}/confirm`, w.desk, {});
  t.equal(byDesk.statusCode, 403, 'the desk that recorded it does not confirm it');
  t.equal(problemOf(t, byDesk).code, 'FORBIDDEN');
  const byOrganiser = await w.post(`${base}/${recordId}/confirm`, w.organiser, {});
  t.equal(byOrganiser.statusCode, 403, "an organisation's organiser cannot confirm the community's record");
  t.equal(problemOf(t, byOrganiser).code, 'FORBIDDEN');
  const byAdmin = await w.post(`${base}/${recordId}/confirm`, w.admin, {});
  t.equal(byAdmin.statusCode, 200, 'an administrator confirms it', { body: byAdmin.body });
  t.match(byAdmin.json(), { status: 'confirmed' });
});
