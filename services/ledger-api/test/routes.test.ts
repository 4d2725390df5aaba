/**
 * Every domain route's success and its documented errors, over a real SQLite store.
 */
import t from 'tap';
import { DOUBLED_RATE_TERMS, hoursAgo, nationalIdNumber, startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('desks register, find and read volunteers of their community', async (t) => {
  const w = await startWorld(t);
  const registered = await w.post('/v1/volunteers', w.desk, {
    name: 'Li Hua',
    nationalIdNumber: nationalIdNumber(1),
    phone: '13800000000',
    community: 'c1',
  });
  t.equal(registered.statusCode, 201);
  const volunteer = registered.json<{
    volunteerId: string;
    volunteerNumber: string;
    nationalIdMasked: string;
    position: string;
  }>();
  t.match(volunteer, {
    volunteerId: /^v[0-9a-f]{32}$/,
    volunteerNumber: /^TB[0-9A-Z]{12}$/,
    position: /^\d+$/,
  });
  t.equal(volunteer.nationalIdMasked, `1301**********${nationalIdNumber(1).slice(-4)}`);

  const duplicate = await w.post('/v1/volunteers', w.desk, {
    name: 'Li Hua again',
    nationalIdNumber: nationalIdNumber(1).toLowerCase(),
    phone: '13800000000',
    community: 'c1',
  });
  t.equal(duplicate.statusCode, 409);
  t.equal(problemOf(t, duplicate).code, 'VOLUNTEER_ALREADY_REGISTERED');
  const invalidId = await w.post('/v1/volunteers', w.desk, {
    name: 'Nobody',
    nationalIdNumber: '130102199000000000',
    phone: '13800000000',
    community: 'c1',
  });
  t.equal(invalidId.statusCode, 422);
  t.equal(problemOf(t, invalidId).code, 'INVALID_NATIONAL_ID');

  const summary = await w.get(
    `/v1/volunteers/${volunteer.volunteerId}?minPosition=${volunteer.position}`,
    w.desk,
  );
  t.equal(summary.statusCode, 200);
  t.match(summary.json(), {
    name: 'Li Hua',
    community: 'c1',
    status: 'active',
    confirmedMinutes: 0,
    availableCentipoints: 0,
  });
  t.notMatch(summary.body, nationalIdNumber(1), 'the full ID number is never returned');

  const lookup = await w.app.inject({
    method: 'POST',
    url: '/v1/volunteers/lookup',
    headers: { authorization: w.desk },
    payload: { nationalIdNumber: nationalIdNumber(1) },
  });
  t.equal(lookup.statusCode, 200);
  t.equal(lookup.json<{ volunteerId: string }>().volunteerId, volunteer.volunteerId);
  const unknownLookup = await w.app.inject({
    method: 'POST',
    url: '/v1/volunteers/lookup',
    headers: { authorization: w.desk },
    payload: { nationalIdNumber: nationalIdNumber(2) },
  });
  t.equal(problemOf(t, unknownLookup).code, 'VOLUNTEER_NOT_FOUND');

  const history = await w.get(`/v1/volunteers/${volunteer.volunteerId}/history`, w.desk);
  t.equal(history.statusCode, 200);
  t.match(history.json(), { events: [{ type: 'VolunteerRegistered', revision: '0' }] });
  t.notMatch(history.body, /nationalIdHash/, 'the keyed hash is not shown');

  const missing = await w.get('/v1/volunteers/vnobody', w.desk);
  t.equal(missing.statusCode, 404);
  t.equal(problemOf(t, missing).code, 'VOLUNTEER_NOT_FOUND');
});

t.test('service records: record, confirm, reject, correct, void, with the intake rules', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(10);
  const base = `/v1/volunteers/${volunteerId}/service-records`;
  const record = (startHoursAgo: number, endHoursAgo: number, key?: string) =>
    w.post(
      base,
      w.organiser,
      {
        activity: 'Visiting elders',
        organisationId: 'org1',
        startAt: hoursAgo(startHoursAgo),
        endAt: hoursAgo(endHoursAgo),
      },
      key,
    );

  const recorded = await record(30, 27);
  t.equal(recorded.statusCode, 201);
  const { recordId, durationMinutes } = recorded.json<{ recordId: string; durationMinutes: number }>();
  t.equal(durationMinutes, 180);
  t.equal(problemOf(t, await record(29, 28)).code, 'SERVICE_RECORD_OVERLAP');
  t.equal(problemOf(t, await record(2, -1)).code, 'SERVICE_END_IN_FUTURE');
  t.equal(problemOf(t, await record(50, 35)).code, 'SERVICE_RECORD_TOO_LONG');
  t.equal(problemOf(t, await record(24 * 100, 24 * 100 - 1)).code, 'SERVICE_TOO_OLD');
  t.equal(problemOf(t, await record(20, 21)).code, 'SERVICE_END_BEFORE_START');

  const confirmed = await w.post(`${base}/${recordId}/confirm`, w.organiser, { qualityGrade: 'good' });
  t.equal(confirmed.statusCode, 200);
  t.match(confirmed.json(), { recordId, status: 'confirmed', position: /^\d+$/ });
  const again = await w.post(`${base}/${recordId}/confirm`, w.organiser, {});
  t.equal(problemOf(t, again).code, 'SERVICE_RECORD_NOT_PENDING');
  const summary = await w.get(`/v1/volunteers/${volunteerId}`, w.desk);
  t.match(summary.json(), { confirmedMinutes: 180, availableCentipoints: 360 }, '3 h × 100 × 120 %');

  const second = (await record(10, 9)).json<{ recordId: string }>().recordId;
  const rejected = await w.post(`${base}/${second}/reject`, w.organiser, { reason: 'Did not attend' });
  t.equal(rejected.statusCode, 200);
  t.match(rejected.json(), { status: 'rejected' });

  const corrected = await w.post(`${base}/${recordId}/correct`, w.organiser, {
    reasonCode: 'wrong_time',
    startAt: hoursAgo(30),
    endAt: hoursAgo(28),
  });
  t.equal(corrected.statusCode, 200);
  const { correctedRecordId } = corrected.json<{ correctedRecordId: string }>();
  t.ok(correctedRecordId);
  t.match((await w.get(`/v1/volunteers/${volunteerId}`, w.desk)).json(), { confirmedMinutes: 120 });

  const voided = await w.post(`${base}/${correctedRecordId}/void`, w.organiser, {
    reasonCode: 'duplicate_record',
  });
  t.equal(voided.statusCode, 200);
  t.match((await w.get(`/v1/volunteers/${volunteerId}`, w.desk)).json(), {
    confirmedMinutes: 0,
    availableCentipoints: 0,
  });
  const unknown = await w.post(`${base}/nope/void`, w.organiser, { reasonCode: 'other' });
  t.equal(unknown.statusCode, 404);
  t.equal(problemOf(t, unknown).code, 'SERVICE_RECORD_NOT_FOUND');

  const history = (await w.get(`/v1/volunteers/${volunteerId}/history`, w.desk)).json<{
    events: { type: string }[];
  }>();
  t.ok(
    history.events.some((event: { type: string }) => event.type === 'ServiceRecordCorrected'),
    'the correction is in the history',
  );
  t.ok(
    history.events.some((event: { type: string }) => event.type === 'ServiceRecordVoided'),
    'so is the void',
  );
});

t.test('a bulk activity is validated all-or-nothing', async (t) => {
  const w = await startWorld(t);
  const first = await w.registerVolunteer(20);
  const second = await w.registerVolunteer(21);
  await w.earn(second, 2, 5);
  const activity = {
    activity: 'Park clean-up',
    organisationId: 'org1',
    startAt: hoursAgo(6),
    endAt: hoursAgo(4),
  };
  const head = await w.store.headPosition();
  const refused = await w.post('/v1/activities', w.organiser, { ...activity, volunteerIds: [first, second] });
  t.equal(refused.statusCode, 422);
  t.match(problemOf(t, refused), {
    code: 'BULK_VALIDATION_FAILED',
    errors: [{ field: 'body.volunteerIds.1', message: /^SERVICE_RECORD_OVERLAP/ }],
  });
  t.equal(await w.store.headPosition(), head, 'nothing was written for anyone');

  const third = await w.registerVolunteer(22);
  const accepted = await w.post('/v1/activities', w.organiser, { ...activity, volunteerIds: [first, third] });
  t.equal(accepted.statusCode, 201);
  t.match(accepted.json(), {
    records: [{ volunteerId: first, durationMinutes: 120 }, { volunteerId: third }],
    position: /^\d+$/,
  });
});

t.test('stars are awarded on application only when eligible', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(30);
  const refused = await w.post(`/v1/volunteers/${volunteerId}/star-applications`, w.desk, {});
  t.equal(refused.statusCode, 422);
  t.equal(problemOf(t, refused).code, 'NOT_ELIGIBLE_FOR_STAR');
});

t.test('partners hold, capture, release and redeem without overdrawing', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(40);
  await w.earn(volunteerId, 3, 30);
  await w.grantMandate(volunteerId);
  const points = await w.get(`/v1/partners/p1/volunteers/${volunteerId}/redeemable-points`, w.partner);
  t.equal(points.statusCode, 200);
  t.same(
    Object.keys(points.json<object>()).sort(),
    ['redeemableCentipoints', 'volunteerId'],
    'nothing but what a redemption needs',
  );
  t.equal(points.json<{ redeemableCentipoints: number }>().redeemableCentipoints, 300);

  const offers = await w.get('/v1/partners/p1/offers', w.partner);
  t.match(offers.json(), {
    partnerId: 'p1',
    status: 'active',
    offers: [{ offerId: 'meal', priceCentipoints: 100 }],
  });

  const hold = await w.post('/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(hold.statusCode, 201);
  const { holdId } = hold.json<{ holdId: string }>();
  const captured = await w.post(`/v1/partners/p1/holds/${holdId}/capture`, w.partner, { volunteerId });
  t.equal(captured.statusCode, 200);
  t.match(captured.json(), { holdId, centipoints: 100 });
  const twice = await w.post(`/v1/partners/p1/holds/${holdId}/release`, w.partner, { volunteerId });
  t.equal(twice.statusCode, 409);
  t.equal(problemOf(t, twice).code, 'HOLD_ALREADY_RESOLVED');

  const second = (
    await w.post('/v1/partners/p1/holds', w.partner, { volunteerId, offerId: 'meal', centipoints: 100 })
  ).json<{ holdId: string }>();
  const released = await w.post(`/v1/partners/p1/holds/${second.holdId}/release`, w.partner, { volunteerId });
  t.equal(released.statusCode, 200);
  const unknownHold = await w.post('/v1/partners/p1/holds/nohold/capture', w.partner, { volunteerId });
  t.equal(problemOf(t, unknownHold).code, 'HOLD_NOT_FOUND');

  t.equal(
    (
      await w.post('/v1/partners/p1/redemptions', w.partner, {
        volunteerId,
        offerId: 'meal',
        centipoints: 100,
      })
    ).statusCode,
    201,
  );
  t.equal(
    (
      await w.post('/v1/partners/p1/redemptions', w.partner, {
        volunteerId,
        offerId: 'meal',
        centipoints: 100,
      })
    ).statusCode,
    201,
  );
  const overdraw = await w.post('/v1/partners/p1/redemptions', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(overdraw.statusCode, 422);
  t.equal(problemOf(t, overdraw).code, 'INSUFFICIENT_POINTS');
  const wrongPrice = await w.post('/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 50,
  });
  t.equal(problemOf(t, wrongPrice).code, 'OFFER_PRICE_MISMATCH');
  const noOffer = await w.post('/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'spa',
    centipoints: 100,
  });
  t.equal(problemOf(t, noOffer).code, 'OFFER_NOT_FOUND');

  t.equal((await w.post('/v1/admin/partners/p1/suspend', w.admin, { reason: 'audit' })).statusCode, 200);
  const mealHold = { volunteerId, offerId: 'meal', centipoints: 100 };
  // The partner's own key stops working; the domain's rule still refuses an administrator's hold.
  const ownKey = await w.post('/v1/partners/p1/holds', w.partner, mealHold);
  t.equal(problemOf(t, ownKey).code, 'API_KEY_SCOPE_INACTIVE');
  const suspended = await w.post('/v1/partners/p1/holds', w.admin, mealHold);
  t.equal(problemOf(t, suspended).code, 'PARTNER_SUSPENDED');
  t.equal((await w.post('/v1/admin/partners/p1/reinstate', w.admin, {})).statusCode, 200);
  t.equal(
    problemOf(t, await w.post('/v1/admin/partners/p1/reinstate', w.admin, {})).code,
    'PARTNER_NOT_SUSPENDED',
  );
});

t.test('administrators register organisations and partners and version the points policy', async (t) => {
  const w = await startWorld(t);
  const duplicate = await w.post('/v1/admin/partners', w.admin, {
    partnerId: 'p1',
    name: 'Again',
    community: 'c1',
  });
  t.equal(problemOf(t, duplicate).code, 'PARTNER_ALREADY_REGISTERED');
  const duplicateOrganisation = await w.post('/v1/admin/organisations', w.admin, {
    organisationId: 'org1',
    name: 'Again',
    community: 'c1',
  });
  t.equal(problemOf(t, duplicateOrganisation).code, 'ORGANISATION_ALREADY_REGISTERED');
  const initial = await w.get('/v1/admin/points-policy', w.auditor);
  t.match(initial.json(), {
    versions: [{ version: 0, effectiveFrom: null, terms: { ratePerHourCentipoints: 100 } }],
  });
});

t.test('administrators version the points policy', async (t) => {
  const w = await startWorld(t);
  const terms = DOUBLED_RATE_TERMS;
  const future = new Date(Date.now() + 86_400_000).toISOString();
  const changed = await w.post('/v1/admin/points-policy', w.admin, { effectiveFrom: future, terms });
  t.equal(changed.statusCode, 201);
  t.match(changed.json(), { version: 1, effectiveFrom: future });
  const past = await w.post('/v1/admin/points-policy', w.admin, { effectiveFrom: hoursAgo(1), terms });
  t.equal(problemOf(t, past).code, 'POLICY_EFFECTIVE_IN_PAST');
  const versions = await w.get('/v1/admin/points-policy', w.auditor);
  t.match(versions.json(), {
    versions: [
      { version: 0, effectiveFrom: null },
      { version: 1, terms: { ratePerHourCentipoints: 200 } },
    ],
  });
});

t.test('auditors page the log, read a stream with hashes and verify every chain', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(50);
  await w.earn(volunteerId, 1, 10);
  const page = await w.get('/v1/audit/events?limit=3', w.auditor);
  t.equal(page.statusCode, 200);
  const first = page.json<{ events: { position: string }[]; nextAfter: string; headPosition: string }>();
  t.equal(first.events.length, 3);
  const next = await w.get(`/v1/audit/events?after=${first.nextAfter}&limit=1000`, w.auditor);
  const rest = next.json<{ events: { position: string }[]; nextAfter: string | null }>();
  t.equal(rest.nextAfter, null, 'the last page says so');
  t.equal(rest.events.at(-1)?.position, first.headPosition);
  const positions = [...first.events, ...rest.events].map((event) => BigInt(event.position));
  t.ok(
    positions.every((position, index) => index === 0 || position > positions[index - 1]!),
    'global order',
  );

  const stream = await w.get(`/v1/audit/streams/volunteer-${volunteerId}`, w.auditor);
  t.match(stream.json(), {
    events: [{ revision: '0', type: 'VolunteerRegistered', hash: /^[0-9a-f]{64}$/ }],
  });
  const verified = await w.get('/v1/audit/verify', w.auditor);
  t.match(verified.json(), { ok: true, failures: [] });
  t.ok(verified.json<{ eventsChecked: number }>().eventsChecked > 5);
  const one = await w.get(`/v1/audit/verify?streamName=volunteer-${volunteerId}`, w.auditor);
  t.match(one.json(), { ok: true, streamsChecked: 1 });
  const badQuery = await w.get('/v1/audit/events?limit=0', w.auditor);
  t.match(problemOf(t, badQuery), { code: 'VALIDATION_FAILED', errors: [{ field: 'query.limit' }] });
});
