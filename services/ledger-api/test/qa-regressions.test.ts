/**
 * Defects QA found driving the real server over HTTP, each pinned here:
 * - a training "completed" in 2099 or a commendation "awarded" in 2126 was recorded (201) and then
 *   printed on certificates; now 422 RECORD_DATE_IN_FUTURE and nothing is appended;
 * - an auditor or administrator asking for the statistics of a project or organisation that does
 *   not exist got 200 with zeros (an organiser got 404); now 404 for every role;
 * - `asOf=2026-02-30` was accepted as a date (statistics of a day that does not exist, or, on
 *   units, a misleading AREA_NOT_FOUND); now 400 VALIDATION_FAILED;
 * - after a volunteer's erasure their pending holds could be neither captured, released nor
 *   expired (410, and the scheduler retried the expiry every sweep, for ever), a transfer to them
 *   completed into an account nothing could spend again, and a spend code was still issued for
 *   them; now the holds settle, the transfer is refunded and the code is refused (410);
 * - a JSON body with bytes that are not UTF-8 was decoded with U+FFFD in their place and stored
 *   (an offer titled "���"); now 400 MALFORMED_JSON and nothing is appended;
 * - a desk could still issue an activation code (new credentials) for an erased volunteer; now
 *   410 VOLUNTEER_PERSONAL_DATA_ERASED and nothing is appended;
 * - a points-policy version whose rate × multiplier overflowed (or whose expiry no instant can
 *   write) was accepted, and confirming any service in its window then answered 500 for ever;
 *   now the version is refused with 400 INVALID_COMMAND and nothing is appended;
 * - the history of a volunteer id nobody holds was 200 with no events for an administrator (a
 *   mistyped id read as a volunteer with nothing on record), where the summary, holds, records
 *   and certificates of the same id are 404; now 404 VOLUNTEER_NOT_FOUND too;
 * - looking up an ID number with a wrong check character (a typo at the desk) answered
 *   404 VOLUNTEER_NOT_FOUND, as if the person were not registered, so the desk went on to register
 *   them; now 422 INVALID_NATIONAL_ID, as registration answers (the check is public arithmetic,
 *   so it tells nobody anything about who is registered).
 */
import t from 'tap';
import { nationalIdNumber, startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('a training or commendation dated after today is refused and changes nothing', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(5150);
  const before = await w.store.headPosition();
  const training = await w.post(`/v1/volunteers/${volunteerId}/trainings`, w.desk, {
    title: '急救知识培训',
    provider: '石家庄市红十字会',
    completedOn: '2099-01-01',
    durationMinutes: 90,
  });
  t.equal(training.statusCode, 422, training.body);
  t.equal(problemOf(t, training).code, 'RECORD_DATE_IN_FUTURE');
  const commendation = await w.post(`/v1/volunteers/${volunteerId}/commendations`, w.desk, {
    title: '优秀志愿者',
    awardedBy: '长安区民政局',
    awardedOn: '2126-10-01',
  });
  t.equal(commendation.statusCode, 422, commendation.body);
  t.equal(problemOf(t, commendation).code, 'RECORD_DATE_IN_FUTURE');
  t.equal(await w.store.headPosition(), before, 'nothing was appended');
  const records = await w.get(`/v1/volunteers/${volunteerId}/records`, w.desk);
  t.same(records.json(), { volunteerId, trainings: [], commendations: [] });

  const yesterday = new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
  const past = await w.post(`/v1/volunteers/${volunteerId}/trainings`, w.desk, {
    title: '急救知识培训',
    provider: '石家庄市红十字会',
    completedOn: yesterday,
    durationMinutes: 90,
  });
  t.equal(past.statusCode, 201, 'yesterday is fine');
});

t.test('statistics of an unknown project or organisation are 404 for every reader', async (t) => {
  const w = await startWorld(t);
  for (const key of [w.auditor, w.admin]) {
    const project = await w.get('/v1/projects/no-such-project/statistics', key);
    t.equal(project.statusCode, 404, project.body);
    t.equal(problemOf(t, project).code, 'PROJECT_NOT_FOUND');
    const organisation = await w.get('/v1/organisations/no-such-org/statistics', key);
    t.equal(organisation.statusCode, 404, organisation.body);
    t.equal(problemOf(t, organisation).code, 'ORGANISATION_NOT_FOUND');
  }
  const known = await w.get('/v1/organisations/org1/statistics', w.auditor);
  t.equal(known.statusCode, 200, `a registered organisation still answers: ${known.body}`);
});

t.test('asOf must be a date that exists', async (t) => {
  const w = await startWorld(t);
  await w.registerHierarchy();
  for (const url of [
    '/v1/organisations/org1/statistics?asOf=2026-02-30',
    '/v1/units/s1/statistics?asOf=2026-02-30',
  ]) {
    const response = await w.get(url, w.auditor);
    t.equal(response.statusCode, 400, `${url}: ${response.body}`);
    const problem = problemOf(t, response);
    t.equal(problem.code, 'VALIDATION_FAILED');
    t.same(
      problem.errors?.map((error) => error.field),
      ['query.asOf'],
    );
  }
});

t.test('after erasure holds still settle, a transfer is refunded and no spend code is issued', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(5160);
  const sender = await w.registerVolunteer(5161);
  await w.earn(volunteerId, 3, 2);
  await w.earn(sender, 2, 2);
  await w.grantMandate(volunteerId);
  const holdIds: string[] = [];
  for (let i = 0; i < 2; i += 1) {
    const held = await w.post('/v1/partners/p1/holds', w.partner, {
      volunteerId,
      offerId: 'meal',
      centipoints: 100,
    });
    t.equal(held.statusCode, 201, held.body);
    holdIds.push(held.json<{ holdId: string }>().holdId);
  }
  const erased = await w.post(`/v1/admin/volunteers/${volunteerId}/erasure`, w.admin, {
    reason: 'consent_withdrawn',
  });
  t.equal(erased.statusCode, 200, erased.body);

  const captured = await w.post(`/v1/partners/p1/holds/${holdIds[0]}/capture`, w.partner, { volunteerId });
  t.equal(captured.statusCode, 200, `a hold placed before the erasure is captured: ${captured.body}`);
  const released = await w.post(`/v1/partners/p1/holds/${holdIds[1]}/release`, w.partner, { volunteerId });
  t.equal(released.statusCode, 200, `a hold placed before the erasure is released: ${released.body}`);
  const summary = (await w.get(`/v1/volunteers/${volunteerId}`, w.admin)).json<{
    availableCentipoints: number;
    heldCentipoints: number;
  }>();
  t.match(summary, { availableCentipoints: 200, heldCentipoints: 0 }, 'nothing stays held');
  const newHold = await w.post('/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(newHold.statusCode, 410, 'nothing new is held');

  const transfer = await w.post(`/v1/volunteers/${sender}/transfers`, w.admin, {
    toVolunteerId: volunteerId,
    centipoints: 100,
  });
  t.equal(transfer.statusCode, 201, transfer.body);
  t.match(transfer.json(), { status: 'refunded', refundReason: 'VOLUNTEER_PERSONAL_DATA_ERASED' });
  const senderSummary = (await w.get(`/v1/volunteers/${sender}`, w.admin)).json<{
    availableCentipoints: number;
  }>();
  t.equal(senderSummary.availableCentipoints, 200, 'the sender has the points back');

  const before = await w.store.headPosition();
  const code = await w.post(`/v1/volunteers/${volunteerId}/spend-codes`, w.admin, {});
  t.equal(code.statusCode, 410, code.body);
  t.equal(problemOf(t, code).code, 'VOLUNTEER_PERSONAL_DATA_ERASED');
  t.equal(await w.store.headPosition(), before, 'nothing was appended');
});

t.test('a JSON body that is not valid UTF-8 is refused and changes nothing', async (t) => {
  const w = await startWorld(t);
  const before = await w.store.headPosition();
  const send = (payload: Buffer, idempotencyKey: string) =>
    w.app.inject({
      method: 'POST',
      url: '/v1/partners/p1/offers',
      headers: { ...w.headers(w.partner, idempotencyKey), 'content-type': 'application/json' },
      payload,
    });
  const garbled = await send(
    Buffer.concat([
      Buffer.from('{"offerId":"latin1","title":"caf'),
      Buffer.from([0xe9]), // "é" in Latin-1, not UTF-8
      Buffer.from('","priceCentipoints":100}'),
    ]),
    'utf8-1',
  );
  t.equal(garbled.statusCode, 400, garbled.body);
  t.equal(problemOf(t, garbled).code, 'MALFORMED_JSON');
  t.equal(await w.store.headPosition(), before, 'nothing was appended');
  const offers = await w.get('/v1/partners/p1/offers', w.partner);
  t.notOk(offers.body.includes('latin1'), 'no offer was published');

  const poisoned = await send(
    Buffer.from('{"__proto__":{"x":1},"offerId":"p","title":"t","priceCentipoints":1}'),
    'utf8-2',
  );
  t.equal(problemOf(t, poisoned).code, 'MALFORMED_JSON', 'prototype poisoning is still refused');
  const chinese = await send(
    Buffer.from(JSON.stringify({ offerId: 'tea', title: '茶点 ☕', priceCentipoints: 100 }), 'utf8'),
    'utf8-3',
  );
  t.equal(chinese.statusCode, 201, chinese.body);
  const listed = (await w.get('/v1/partners/p1/offers', w.partner)).json<{ offers: { title: string }[] }>();
  t.ok(
    listed.offers.some((offer) => offer.title === '茶点 ☕'),
    'valid UTF-8 is stored as sent',
  );
});

t.test('no activation code is issued for an erased volunteer', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(5170);
  const erased = await w.post(`/v1/admin/volunteers/${volunteerId}/erasure`, w.admin, {
    reason: 'consent_withdrawn',
  });
  t.equal(erased.statusCode, 200, erased.body);
  const before = await w.store.headPosition();
  for (const key of [w.desk, w.admin]) {
    const issued = await w.post(`/v1/volunteers/${volunteerId}/activation-codes`, key, {});
    t.equal(issued.statusCode, 410, issued.body);
    t.equal(problemOf(t, issued).code, 'VOLUNTEER_PERSONAL_DATA_ERASED');
  }
  t.equal(await w.store.headPosition(), before, 'nothing was appended');
});

t.test('a points policy the ledger could not apply is refused with 400', async (t) => {
  const w = await startWorld(t);
  const before = await w.store.headPosition();
  const huge = Number.MAX_SAFE_INTEGER;
  const terms = {
    ratePerHourCentipoints: 100,
    qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
    balanceCapCentipoints: 150_000,
    dailyEarningCapCentipoints: null,
    minStarToRedeem: 0,
    expiryDays: null,
  };
  const effectiveFrom = new Date(Date.now() + 3_600_000).toISOString();
  for (const bad of [{ ratePerHourCentipoints: huge }, { expiryDays: huge }]) {
    const changed = await w.post('/v1/admin/points-policy', w.admin, {
      effectiveFrom,
      terms: { ...terms, ...bad },
    });
    t.equal(changed.statusCode, 400, changed.body);
    t.equal(problemOf(t, changed).code, 'INVALID_COMMAND');
  }
  t.equal(await w.store.headPosition(), before, 'nothing was appended');
});

t.test('the history of an unknown volunteer is 404, as their summary is', async (t) => {
  const w = await startWorld(t);
  for (const key of [w.admin, w.desk]) {
    const history = await w.get('/v1/volunteers/vnobody/history', key);
    t.equal(history.statusCode, 404, history.body);
    t.equal(problemOf(t, history).code, 'VOLUNTEER_NOT_FOUND');
  }
  const volunteerId = await w.registerVolunteer(31);
  const known = await w.get(`/v1/volunteers/${volunteerId}/history`, w.admin);
  t.equal(known.statusCode, 200, 'a registered volunteer still has a history');
});

t.test('a lookup of a malformed ID number says so, for a desk and an administrator', async (t) => {
  const w = await startWorld(t);
  const registered = nationalIdNumber(32);
  await w.registerVolunteer(32);
  const typo = registered.slice(0, 16) + String((Number(registered[16]) + 1) % 10) + registered.slice(17);
  for (const key of [w.desk, w.admin]) {
    for (const number of [typo, '12345', 'not an ID number']) {
      const lookup = await w.post('/v1/volunteers/lookup', key, { nationalIdNumber: number });
      t.equal(lookup.statusCode, 422, `${number}: ${lookup.body}`);
      t.equal(problemOf(t, lookup).code, 'INVALID_NATIONAL_ID');
    }
    const found = await w.post('/v1/volunteers/lookup', key, { nationalIdNumber: registered });
    t.equal(found.statusCode, 200, 'the number as registered is found');
    const unknown = await w.post('/v1/volunteers/lookup', key, { nationalIdNumber: nationalIdNumber(33) });
    t.equal(problemOf(t, unknown).code, 'VOLUNTEER_NOT_FOUND', 'a valid number nobody holds is not found');
  }
  const elsewhere = await w.post('/v1/volunteers/lookup', w.otherDesk, { nationalIdNumber: registered });
  t.equal(
    problemOf(t, elsewhere).code,
    'VOLUNTEER_NOT_FOUND',
    "another community's volunteer reads as not found",
  );
});
