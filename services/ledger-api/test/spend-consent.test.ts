/**
 * Spend consent over HTTP: spend codes (once, bound, capped, expiring, raced), standing
 * mandates (monthly cap under concurrency, revocation), the lockout of code guessers, and hold
 * rejections that tell a partner nothing about the volunteer's balance.
 */
import t from 'tap';
import type { LightMyRequestResponse as Response } from 'fastify';
import { startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

let nowMs = Date.now();
const clock = (): number => nowMs;
const UNLIMITED = { RATE_LIMIT_REQUESTS_MAX: '1000000' };
const meal = { offerId: 'meal', centipoints: 100 };

async function volunteerWithPoints(w: World, seed: number, hours = 3): Promise<string> {
  const volunteerId = await w.registerVolunteer(seed);
  for (let done = 0, day = 0; done < hours; day += 1) {
    const block = Math.min(12, hours - done);
    await w.earn(volunteerId, block, 24 * day + 30);
    done += block;
  }
  return volunteerId;
}

function codeOf(response: Response): string {
  return response.json<{ spendCode: string }>().spendCode;
}

t.beforeEach(() => {
  nowMs = Date.now();
});

t.test('a spend code redeems once, alone: the partner learns the volunteer from the answer', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await volunteerWithPoints(w, 6001);
  const issued = await w.post(`/v1/volunteers/${volunteerId}/spend-codes`, w.desk, {});
  t.equal(issued.statusCode, 201, 'the desk issues a code for its volunteer');
  const code = codeOf(issued);
  t.match(code, /^[0-9]{16}$/, '16 digits');
  t.match(issued.json(), {
    qrPayload: `timebank-spend:${code}`,
    volunteerId,
    partnerId: null,
    centipointsMax: null,
    expiresAt: new Date(nowMs + 120_000).toISOString(),
  });

  const redeemed = await w.post('/v1/partners/p1/redemptions', w.partner, { spendCode: code, ...meal });
  t.equal(redeemed.statusCode, 201, { body: redeemed.body });
  t.match(redeemed.json(), { volunteerId, centipoints: 100 });
  const again = await w.post('/v1/partners/p1/redemptions', w.partner, { spendCode: code, ...meal });
  t.equal(again.statusCode, 403);
  t.equal(problemOf(t, again).code, 'SPEND_CODE_INVALID', 'a used code is spent');

  const history = await w.get(`/v1/audit/streams/volunteer-${volunteerId}`, w.auditor);
  t.match(history.body, /"form":"spendCode"/, 'the hold records which consent authorised it');
  const everything = await w.get('/v1/audit/events?limit=1000', w.auditor);
  t.notMatch(everything.body, code, 'the code itself is stored nowhere');

  const elsewhere = await w.post(`/v1/volunteers/${volunteerId}/spend-codes`, w.otherDesk, {});
  t.equal(elsewhere.statusCode, 403, "another community's desk cannot issue the volunteer's code");
});

// Found over HTTP: a desk that mistyped the partner got a code no partner could ever use, while a
// mandate to the same unknown partner was refused with 404 PARTNER_NOT_FOUND.
t.test(
  'a code bound to a partner that was never registered is refused, and nothing is written',
  async (t) => {
    const w = await startWorld(t, UNLIMITED, { clock });
    const volunteerId = await volunteerWithPoints(w, 6009);
    const before = await w.get('/v1/audit/events?limit=1000', w.auditor);
    const unknown = await w.post(`/v1/volunteers/${volunteerId}/spend-codes`, w.desk, {
      partnerId: 'p-typo',
    });
    t.equal(unknown.statusCode, 404, { body: unknown.body });
    t.equal(problemOf(t, unknown).code, 'PARTNER_NOT_FOUND');
    const after = await w.get('/v1/audit/events?limit=1000', w.auditor);
    t.equal(
      after.json<{ headPosition: string }>().headPosition,
      before.json<{ headPosition: string }>().headPosition,
    );
    const known = await w.post(`/v1/volunteers/${volunteerId}/spend-codes`, w.desk, { partnerId: 'p2' });
    t.equal(known.statusCode, 201, 'a registered partner is accepted as before');
  },
);

t.test('a bound, capped or expired code is refused, and nothing is held', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await volunteerWithPoints(w, 6002);
  const bound = await w.spendCode(volunteerId, { partnerId: 'p2' });
  const wrongPartner = await w.post('/v1/partners/p1/holds', w.partner, { spendCode: bound, ...meal });
  t.equal(problemOf(t, wrongPartner).code, 'SPEND_CODE_INVALID', 'bound to another partner');

  const capped = await w.spendCode(volunteerId, { centipointsMax: 50 });
  const overCap = await w.post('/v1/partners/p1/holds', w.partner, { spendCode: capped, ...meal });
  t.equal(overCap.statusCode, 403);
  t.equal(problemOf(t, overCap).code, 'SPEND_CODE_CAP_EXCEEDED');

  const expiring = await w.spendCode(volunteerId);
  nowMs += 120_000;
  const expired = await w.post('/v1/partners/p1/holds', w.partner, { spendCode: expiring, ...meal });
  t.equal(problemOf(t, expired).code, 'SPEND_CODE_INVALID', 'expired at 120 s');

  const summary = await w.get(`/v1/volunteers/${volunteerId}`, w.desk);
  t.equal(summary.json<{ heldCentipoints: number }>().heldCentipoints, 0, 'nothing was held');

  const neither = await w.post('/v1/partners/p1/holds', w.partner, meal);
  t.equal(problemOf(t, neither).code, 'VALIDATION_FAILED', 'a hold names a volunteer or a code');
});

t.test('two partners racing one code: exactly one wins', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await volunteerWithPoints(w, 6003, 6);
  for (let round = 0; round < 5; round += 1) {
    const code = await w.spendCode(volunteerId);
    const [first, second] = await Promise.all([
      w.post('/v1/partners/p1/redemptions', w.partner, { spendCode: code, ...meal }),
      w.post('/v1/partners/p2/redemptions', w.otherPartner, {
        spendCode: code,
        offerId: 'haircut',
        centipoints: 100,
      }),
    ]);
    const statuses = [first.statusCode, second.statusCode].sort();
    t.same(statuses, [201, 403], `round ${round}: one redemption, one refusal`);
  }
  const summary = await w.get(`/v1/volunteers/${volunteerId}`, w.desk);
  t.equal(summary.json<{ availableCentipoints: number }>().availableCentipoints, 600 - 5 * 100);
});

t.test("a mandate's monthly cap holds under 50 concurrent holds; revoking it stops the next", async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await volunteerWithPoints(w, 6004, 50);
  await w.grantMandate(volunteerId, 'p1', 1000);
  const responses = await Promise.all(
    Array.from({ length: 50 }, () => w.post('/v1/partners/p1/holds', w.partner, { volunteerId, ...meal })),
  );
  const held = responses.filter((response) => response.statusCode === 201);
  t.equal(held.length, 10, 'exactly the cap of 1,000 centipoints is held');
  for (const refused of responses.filter((response) => response.statusCode !== 201)) {
    t.equal(problemOf(t, refused).code, 'MANDATE_CAP_EXCEEDED');
  }
  const summary = await w.get(`/v1/volunteers/${volunteerId}`, w.desk);
  t.equal(summary.json<{ heldCentipoints: number }>().heldCentipoints, 1000);

  // A release gives the month's cap back; the revocation then takes it away at once.
  const { holdId } = held[0]!.json<{ holdId: string }>();
  await w.post(`/v1/partners/p1/holds/${holdId}/release`, w.partner, { volunteerId });
  t.equal((await w.post('/v1/partners/p1/holds', w.partner, { volunteerId, ...meal })).statusCode, 201);
  await w.post(`/v1/partners/p1/holds/${holdId}/release`, w.partner, { volunteerId });
  const revoked = await w.post(`/v1/volunteers/${volunteerId}/mandates/p1/revoke`, w.desk, {});
  t.equal(revoked.statusCode, 200);
  const after = await w.post('/v1/partners/p1/holds', w.partner, { volunteerId, ...meal });
  t.equal(after.statusCode, 403);
  t.equal(problemOf(t, after).code, 'CONSENT_REQUIRED');
  const points = await w.get(`/v1/partners/p1/volunteers/${volunteerId}/redeemable-points`, w.partner);
  t.equal(problemOf(t, points).code, 'CONSENT_REQUIRED', 'nor may the partner read the balance any more');
  const twice = await w.post(`/v1/volunteers/${volunteerId}/mandates/p1/revoke`, w.desk, {});
  t.equal(problemOf(t, twice).code, 'MANDATE_NOT_FOUND');
  const past = await w.post(`/v1/volunteers/${volunteerId}/mandates`, w.desk, {
    partnerId: 'p1',
    monthlyCapCentipoints: 100,
    endsAt: new Date(nowMs - 1000).toISOString(),
  });
  t.equal(problemOf(t, past).code, 'MANDATE_END_IN_PAST');
});

t.test('5 wrong codes in 600 s lock the partner out for 900 s, even with a right code', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await volunteerWithPoints(w, 6005);
  const good = await w.spendCode(volunteerId);
  const wrong = good === '0000000000000000' ? '1111111111111111' : '0000000000000000';
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const refused = await w.post('/v1/partners/p1/holds', w.partner, { spendCode: wrong, ...meal });
    t.equal(problemOf(t, refused).code, 'SPEND_CODE_INVALID', `wrong code ${attempt}`);
  }
  const locked = await w.post('/v1/partners/p1/holds', w.partner, { spendCode: good, ...meal });
  t.equal(locked.statusCode, 429);
  t.equal(problemOf(t, locked).code, 'SPEND_CODE_LOCKED_OUT');
  const otherPartner = await w.post('/v1/partners/p2/holds', w.otherPartner, {
    spendCode: good,
    offerId: 'haircut',
    centipoints: 100,
  });
  t.equal(otherPartner.statusCode, 201, 'the lockout is the guessing partner’s alone');

  nowMs += 900_000;
  const fresh = await w.spendCode(volunteerId);
  const afterwards = await w.post('/v1/partners/p1/holds', w.partner, { spendCode: fresh, ...meal });
  t.equal(afterwards.statusCode, 201, 'after 900 s the partner may try again');
});

t.test(
  'wrong codes spread over more than 600 s do not lock out; naming a volunteer counts per pair',
  async (t) => {
    const w = await startWorld(t, UNLIMITED, { clock });
    const volunteerId = await volunteerWithPoints(w, 6006);
    const wrong = { spendCode: '9999999999999999', ...meal };
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      await w.post('/v1/partners/p1/holds', w.partner, { volunteerId, ...wrong });
      nowMs += 150_000;
    }
    const code = await w.spendCode(volunteerId);
    const held = await w.post('/v1/partners/p1/holds', w.partner, { volunteerId, spendCode: code, ...meal });
    t.equal(held.statusCode, 201, 'at most 4 failures ever fell within one 600 s window');
    for (let attempt = 1; attempt <= 5; attempt += 1)
      await w.post('/v1/partners/p1/holds', w.partner, { volunteerId, ...wrong });
    const next = await w.spendCode(volunteerId);
    const pair = await w.post('/v1/partners/p1/holds', w.partner, { volunteerId, spendCode: next, ...meal });
    t.equal(problemOf(t, pair).code, 'SPEND_CODE_LOCKED_OUT', 'the pair is locked');
    const alone = await w.post('/v1/partners/p1/holds', w.partner, { spendCode: next, ...meal });
    t.equal(alone.statusCode, 201, 'the code alone counts apart from the pair');
  },
);

t.test(
  '20 wrong codes from one address lock that address out, whichever keys and volunteers they name',
  async (t) => {
    const w = await startWorld(t, UNLIMITED, { clock });
    const volunteerId = await volunteerWithPoints(w, 6008);
    const good = await w.spendCode(volunteerId);
    const wrong = good === '0000000000000000' ? '1111111111111111' : '0000000000000000';
    const from = (remoteAddress: string, authorization: string, partnerId: string, payload: object) => {
      keyCounter += 1;
      return w.app.inject({
        method: 'POST',
        url: `/v1/partners/${partnerId}/holds`,
        headers: w.headers(authorization, `address-${keyCounter}`),
        payload: { ...meal, ...payload },
        remoteAddress,
      });
    };
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      // Each guess names another volunteer and alternates keys: no pair reaches its 5.
      const [key, partnerId] = attempt % 2 === 0 ? [w.partner, 'p1'] : [w.otherPartner, 'p2'];
      const payload = {
        spendCode: wrong,
        volunteerId: `vguess${attempt}`,
        offerId: partnerId === 'p1' ? 'meal' : 'haircut',
      };
      const refused = await from('192.0.2.10', key, partnerId, payload);
      t.equal(problemOf(t, refused).code, 'SPEND_CODE_INVALID', `wrong code ${attempt}`);
    }
    const locked = await from('192.0.2.10', w.partner, 'p1', { spendCode: good });
    t.equal(locked.statusCode, 429, 'the address is locked out, even with a right code');
    t.equal(problemOf(t, locked).code, 'SPEND_CODE_LOCKED_OUT');
    const elsewhere = await from('192.0.2.11', w.partner, 'p1', { spendCode: good });
    t.equal(elsewhere.statusCode, 201, 'another address is not');
  },
);

let keyCounter = 0;

t.test("a refused hold tells the partner nothing of the volunteer's balance or stars", async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await volunteerWithPoints(w, 6007, 1);
  await w.grantMandate(volunteerId);
  t.equal((await w.post('/v1/partners/p1/holds', w.partner, { volunteerId, ...meal })).statusCode, 201);
  const refused = await w.post('/v1/partners/p1/holds', w.partner, { volunteerId, ...meal });
  const problem = problemOf(t, refused);
  t.equal(problem.code, 'INSUFFICIENT_POINTS');
  t.same(
    Object.keys(problem).sort(),
    ['code', 'detail', 'instance', 'status', 'title', 'type'].filter((key) => key in problem).sort(),
    'only the problem fields',
  );
  t.notMatch(refused.body, /availableCentipoints|starLevel/, 'no balance, no star level');
});

// Found over HTTP: after an erasure the volunteer's points can no longer be spent (every hold is
// 410 VOLUNTEER_PERSONAL_DATA_ERASED), yet the partner holding a mandate was still told the whole
// balance was redeemable, and then refused the hold it had just been invited to make.
t.test('an erased volunteer has nothing redeemable for a partner holding a mandate', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await volunteerWithPoints(w, 6011);
  await w.grantMandate(volunteerId);
  const url = `/v1/partners/p1/volunteers/${volunteerId}/redeemable-points`;
  t.equal((await w.get(url, w.partner)).json<{ redeemableCentipoints: number }>().redeemableCentipoints, 300);
  const erased = await w.post(`/v1/admin/volunteers/${volunteerId}/erasure`, w.admin, {
    reason: 'consent_withdrawn',
  });
  t.equal(erased.statusCode, 200, { body: erased.body });
  const points = await w.get(url, w.partner);
  t.equal(points.statusCode, 200);
  t.same(points.json(), { volunteerId, redeemableCentipoints: 0 }, 'nothing to redeem');
  const hold = await w.post('/v1/partners/p1/holds', w.partner, { volunteerId, ...meal });
  t.equal(problemOf(t, hold).code, 'VOLUNTEER_PERSONAL_DATA_ERASED', 'as a hold finds');
});

// Found over HTTP: a partner with no consent was answered 404 VOLUNTEER_NOT_FOUND, 422
// VOLUNTEER_INACTIVE or 410 VOLUNTEER_PERSONAL_DATA_ERASED, and 403 CONSENT_REQUIRED only for an
// active volunteer: four answers that told it who exists and in what state.
t.test('a partner without consent hears the same answer for any volunteer id', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const active = await volunteerWithPoints(w, 6021);
  const inactive = await volunteerWithPoints(w, 6022);
  const erased = await volunteerWithPoints(w, 6023);
  const deactivated = await w.post(`/v1/volunteers/${inactive}/deactivate`, w.desk, { reason: 'moved away' });
  t.equal(deactivated.statusCode, 200, { body: deactivated.body });
  const erasure = await w.post(`/v1/admin/volunteers/${erased}/erasure`, w.admin, {
    reason: 'consent_withdrawn',
  });
  t.equal(erasure.statusCode, 200, { body: erasure.body });
  const unknown = `v${'0'.repeat(32)}`;
  const answers = [];
  for (const volunteerId of [active, inactive, erased, unknown]) {
    for (const route of ['holds', 'redemptions']) {
      const refused = await w.post(`/v1/partners/p1/${route}`, w.partner, { volunteerId, ...meal });
      answers.push(`${refused.statusCode} ${problemOf(t, refused).code}`);
    }
    // The balance query too: an unknown id was 404 VOLUNTEER_NOT_FOUND there, a real one 403.
    const query = await w.get(`/v1/partners/p1/volunteers/${volunteerId}/redeemable-points`, w.partner);
    answers.push(`${query.statusCode} ${problemOf(t, query).code}`);
  }
  t.same(new Set(answers), new Set(['403 CONSENT_REQUIRED']), answers.join(', '));
});
