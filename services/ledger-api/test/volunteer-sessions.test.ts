/**
 * Volunteers as users over HTTP: a desk's activation code, used once
 * to set a passphrase; sign-in for a session token; self-service reads of one's own record and
 * nobody else's; a self-made spend code that a partner redeems once; lockout after repeated
 * failures; expired and used activation codes; session expiry, sign-out and passphrase reset.
 */
import t from 'tap';
import { startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';
import {
  ACTIVATION_CODE_LIFETIME_SECONDS,
  SESSION_LIFETIME_SECONDS,
  SIGN_IN_FAILURES_MAX,
  SIGN_IN_LOCKOUT_SECONDS,
} from '../src/auth/volunteer-credentials.js';

let nowMs = Date.now();
const clock = (): number => nowMs;
const UNLIMITED = { RATE_LIMIT_REQUESTS_MAX: '1000000' };
const PASSPHRASE = 'plum blossoms in the snow';

t.beforeEach(() => {
  nowMs = Date.now();
});

async function activationCode(w: World, volunteerId: string, key = w.desk) {
  const issued = await w.post(`/v1/volunteers/${volunteerId}/activation-codes`, key, {});
  return issued.json<{ activationCode: string; volunteerNumber: string; expiresAt: string }>();
}

const activate = (w: World, body: { volunteerNumber: string; activationCode: string; passphrase: string }) =>
  w.post('/v1/volunteer-sessions/activate', '', body);

const signIn = (w: World, volunteerNumber: string, passphrase: string) =>
  w.post('/v1/volunteer-sessions', '', { volunteerNumber, passphrase });

t.test('activation → sign-in → own spend code → a partner redeems it once', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await w.registerVolunteer(7001);
  await w.earn(volunteerId, 2, 30);

  const issued = await w.post(`/v1/volunteers/${volunteerId}/activation-codes`, w.desk, {});
  t.equal(issued.statusCode, 201, 'the desk of the community issues an activation code', {
    body: issued.body,
  });
  const {
    activationCode: code,
    volunteerNumber,
    expiresAt,
  } = issued.json<{
    activationCode: string;
    volunteerNumber: string;
    expiresAt: string;
  }>();
  t.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/, 'printable, grouped');
  t.equal(Date.parse(expiresAt), nowMs + ACTIVATION_CODE_LIFETIME_SECONDS * 1000);
  const otherDesk = await w.post(`/v1/volunteers/${volunteerId}/activation-codes`, w.otherDesk, {});
  t.equal(otherDesk.statusCode, 403, "another community's desk may not");

  const activated = await activate(w, {
    volunteerNumber,
    activationCode: code.toLowerCase(),
    passphrase: PASSPHRASE,
  });
  t.equal(activated.statusCode, 200, 'the code sets the passphrase (typed in lower case)', {
    body: activated.body,
  });
  t.same(activated.json(), { volunteerId, volunteerNumber });
  const reused = await activate(w, {
    volunteerNumber,
    activationCode: code,
    passphrase: 'another passphrase',
  });
  t.equal(reused.statusCode, 401, 'an activation code works once');
  t.equal(problemOf(t, reused).code, 'ACTIVATION_CODE_INVALID');

  const session = await signIn(w, volunteerNumber, PASSPHRASE);
  t.equal(session.statusCode, 201, { body: session.body });
  const { token, volunteerId: signedInAs } = session.json<{ token: string; volunteerId: string }>();
  t.equal(signedInAs, volunteerId);
  const me = `Bearer ${token}`;

  const stored = await w.get(`/v1/audit/streams/credentials-${volunteerNumber}`, w.auditor);
  t.equal(stored.statusCode, 200);
  t.notMatch(stored.body, token.slice(20), 'the token is not stored');
  t.notMatch(stored.body, PASSPHRASE, 'the passphrase is not stored');
  t.notMatch(stored.body, code, 'the activation code is not stored');
  t.match(stored.body, /scrypt\$15\$8\$1\$/, 'the passphrase is stored as a salted scrypt hash');
  t.notMatch(w.logs.join('\n'), token.slice(20), 'the token is not logged');
  t.notMatch(w.logs.join('\n'), PASSPHRASE, 'the passphrase is not logged');
  t.notMatch(w.logs.join('\n'), 'scrypt$', 'nor its hash');

  const spend = await w.post(`/v1/volunteers/${volunteerId}/spend-codes`, me, { partnerId: 'p1' });
  t.equal(spend.statusCode, 201, 'the volunteer makes their own spend code', { body: spend.body });
  const spendCode = spend.json<{ spendCode: string }>().spendCode;
  const meal = { offerId: 'meal', centipoints: 100 };
  const redeemed = await w.post('/v1/partners/p1/redemptions', w.partner, { spendCode, ...meal });
  t.equal(redeemed.statusCode, 201, { body: redeemed.body });
  t.match(redeemed.json(), { volunteerId });
  const again = await w.post('/v1/partners/p1/redemptions', w.partner, { spendCode, ...meal });
  t.equal(again.statusCode, 403, 'the same code again is refused');
  t.equal(problemOf(t, again).code, 'SPEND_CODE_INVALID');

  const events = await w.get('/v1/audit/events?limit=1000', w.auditor);
  t.match(
    events.body,
    /"type":"SpendCodeIssued","data":\{[^}]*"actor":\{"id":"[^"]+","role":"volunteer"\}/,
    'the code records the volunteer as the one who consented',
  );
});

t.test('a signed-in volunteer reads and acts on their own record only', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await w.registerVolunteer(7101);
  const someoneElse = await w.registerVolunteer(7102);
  await w.earn(volunteerId, 2, 30);
  await w.earn(someoneElse, 2, 30);
  const me = await w.signIn(volunteerId);

  for (const path of ['', '/history', '/certificates', '/holds']) {
    const own = await w.get(`/v1/volunteers/${volunteerId}${path}`, me);
    t.equal(own.statusCode, 200, `own ${path || 'summary'}`, { body: own.body });
    const other = await w.get(`/v1/volunteers/${someoneElse}${path}`, me);
    t.equal(other.statusCode, 403, `someone else's ${path || 'summary'}`);
    t.equal(problemOf(t, other).code, 'FORBIDDEN');
  }
  const mandate = { partnerId: 'p1', monthlyCapCentipoints: 500 };
  const granted = await w.post(`/v1/volunteers/${volunteerId}/mandates`, me, mandate);
  t.equal(granted.statusCode, 201, 'grants a mandate', { body: granted.body });
  const held = await w.post('/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(held.statusCode, 201, 'the partner holds under the mandate', { body: held.body });
  const holds = await w.get(`/v1/volunteers/${volunteerId}/holds`, me);
  t.match(holds.json(), { holds: [{ partnerId: 'p1', centipoints: 100, consentForm: 'mandate' }] });
  const revoked = await w.post(`/v1/volunteers/${volunteerId}/mandates/p1/revoke`, me, {});
  t.equal(revoked.statusCode, 200, 'revokes it', { body: revoked.body });
  const refused = await w.post('/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(refused.statusCode, 403, 'the next hold needs consent again');

  for (const [url, body] of [
    [`/v1/volunteers/${someoneElse}/spend-codes`, {}],
    [`/v1/volunteers/${someoneElse}/mandates`, mandate],
    [
      `/v1/volunteers/${volunteerId}/service-records`,
      {
        activity: 'x',
        organisationId: 'org1',
        startAt: '2026-01-01T00:00:00Z',
        endAt: '2026-01-01T01:00:00Z',
      },
    ],
    [`/v1/volunteers/${volunteerId}/activation-codes`, {}],
  ] as const) {
    const response = await w.post(url, me, body);
    t.equal(response.statusCode, 403, `POST ${url} is refused`);
  }
});

t.test('wrong passphrases lock the account for a while; then the right one works', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await w.registerVolunteer(7201);
  await w.signIn(volunteerId, PASSPHRASE);
  const { volunteerNumber } = (await w.get(`/v1/volunteers/${volunteerId}`, w.admin)).json<{
    volunteerNumber: string;
  }>();

  for (let attempt = 1; attempt <= SIGN_IN_FAILURES_MAX; attempt += 1) {
    const wrong = await signIn(w, volunteerNumber, `wrong passphrase ${attempt}`);
    t.equal(wrong.statusCode, 401, `wrong passphrase ${attempt}`);
    t.equal(problemOf(t, wrong).code, 'VOLUNTEER_SIGN_IN_FAILED');
  }
  const locked = await signIn(w, volunteerNumber, PASSPHRASE);
  t.equal(locked.statusCode, 429, 'even the right passphrase is refused while locked');
  t.equal(problemOf(t, locked).code, 'VOLUNTEER_SIGN_IN_LOCKED_OUT');

  nowMs += SIGN_IN_LOCKOUT_SECONDS * 1000 + 1;
  const later = await signIn(w, volunteerNumber, PASSPHRASE);
  t.equal(later.statusCode, 201, 'the lock lapses', { body: later.body });

  const unknown = await signIn(w, 'TB0000000000ZZ', PASSPHRASE);
  t.equal(unknown.statusCode, 401, 'an unknown number answers like a wrong passphrase');
  t.equal(problemOf(t, unknown).code, 'VOLUNTEER_SIGN_IN_FAILED');
});

t.test('an unknown or never activated number locks out as a known one does (no enumeration)', async (t) => {
  // Before, only a number with credentials counted failures: its sixth wrong attempt was 429
  // while an unknown number's was 401 for ever, which told anyone which volunteers had activated.
  const w = await startWorld(t, UNLIMITED, { clock });
  const activated = await w.registerVolunteer(7211);
  await w.signIn(activated, PASSPHRASE);
  const neverActivated = await w.registerVolunteer(7212);
  const numberOf = async (volunteerId: string) =>
    (await w.get(`/v1/volunteers/${volunteerId}`, w.admin)).json<{ volunteerNumber: string }>()
      .volunteerNumber;
  const numbers = {
    activated: await numberOf(activated),
    'never activated': await numberOf(neverActivated),
    unknown: 'TB0000000000ZY',
  };
  const head = await w.store.headPosition();
  const answers: Record<string, string[]> = {};
  for (const [label, volunteerNumber] of Object.entries(numbers)) {
    answers[label] = [];
    for (let attempt = 1; attempt <= SIGN_IN_FAILURES_MAX + 1; attempt += 1) {
      const wrong = await signIn(w, volunteerNumber, `wrong passphrase ${attempt}`);
      answers[label].push(`${wrong.statusCode} ${problemOf(t, wrong).code}`);
    }
  }
  t.same(
    answers['never activated'],
    answers.activated,
    'a never activated number answers as an activated one',
  );
  t.same(answers.unknown, answers.activated, 'an unknown number answers as an activated one');
  t.equal(answers.activated!.at(-1), '429 VOLUNTEER_SIGN_IN_LOCKED_OUT');
  t.equal(
    await w.store.headPosition(),
    head + 5n,
    'only the known credentials stream recorded its failures: nothing is written for the others',
  );
  const code = await w.post('/v1/volunteer-sessions/activate', '', {
    volunteerNumber: numbers.unknown,
    activationCode: 'AAAA-AAAA-AAAA',
    passphrase: PASSPHRASE,
  });
  t.equal(problemOf(t, code).code, 'VOLUNTEER_SIGN_IN_LOCKED_OUT', 'activation is locked with sign-in');
  nowMs += SIGN_IN_LOCKOUT_SECONDS * 1000 + 1;
  const later = await signIn(w, numbers.unknown, PASSPHRASE);
  t.equal(problemOf(t, later).code, 'VOLUNTEER_SIGN_IN_FAILED', 'the lock lapses');
});

t.test('expired, superseded and wrong activation codes are refused; a reset ends old sessions', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await w.registerVolunteer(7301);
  const first = await activationCode(w, volunteerId);
  nowMs += ACTIVATION_CODE_LIFETIME_SECONDS * 1000 + 1;
  const expired = await activate(w, {
    volunteerNumber: first.volunteerNumber,
    activationCode: first.activationCode,
    passphrase: PASSPHRASE,
  });
  t.equal(expired.statusCode, 401, 'an expired code');
  t.equal(problemOf(t, expired).code, 'ACTIVATION_CODE_INVALID');

  const second = await activationCode(w, volunteerId);
  const third = await activationCode(w, volunteerId);
  const superseded = await activate(w, {
    volunteerNumber: second.volunteerNumber,
    activationCode: second.activationCode,
    passphrase: PASSPHRASE,
  });
  t.equal(superseded.statusCode, 401, 'a code replaced by a newer one');
  const ok = await activate(w, {
    volunteerNumber: third.volunteerNumber,
    activationCode: third.activationCode,
    passphrase: PASSPHRASE,
  });
  t.equal(ok.statusCode, 200, { body: ok.body });
  const session = (await signIn(w, third.volunteerNumber, PASSPHRASE)).json<{ token: string }>();
  const me = `Bearer ${session.token}`;
  t.equal((await w.get(`/v1/volunteers/${volunteerId}`, me)).statusCode, 200);

  // A forgotten passphrase: the desk issues a new code; the new passphrase ends the old session.
  const reset = await activationCode(w, volunteerId);
  const newPassphrase = 'a new passphrase for spring';
  const resetDone = await activate(w, {
    volunteerNumber: reset.volunteerNumber,
    activationCode: reset.activationCode,
    passphrase: newPassphrase,
  });
  t.equal(resetDone.statusCode, 200);
  const old = await w.get(`/v1/volunteers/${volunteerId}`, me);
  t.equal(old.statusCode, 401, 'the session from before the reset is over');
  t.equal((await signIn(w, reset.volunteerNumber, PASSPHRASE)).statusCode, 401, 'the old passphrase is gone');
  t.equal((await signIn(w, reset.volunteerNumber, newPassphrase)).statusCode, 201, 'the new one works');
});

t.test('a session expires, and sign-out ends it at once', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await w.registerVolunteer(7401);
  const me = await w.signIn(volunteerId);
  t.equal((await w.get(`/v1/volunteers/${volunteerId}`, me)).statusCode, 200);
  nowMs += SESSION_LIFETIME_SECONDS * 1000 + 1;
  const expired = await w.get(`/v1/volunteers/${volunteerId}`, me);
  t.equal(expired.statusCode, 401, 'expired');
  t.equal(problemOf(t, expired).code, 'UNAUTHENTICATED');
  t.match(problemOf(t, expired).detail, /volunteer session: sign in again/, 'says to sign in, not "API key"');

  const fresh = await w.signIn(volunteerId, 'another long passphrase');
  t.equal((await w.get(`/v1/volunteers/${volunteerId}`, fresh)).statusCode, 200);
  const out = await w.post('/v1/volunteer-sessions/sign-out', fresh, {});
  t.equal(out.statusCode, 200, { body: out.body });
  t.equal((await w.get(`/v1/volunteers/${volunteerId}`, fresh)).statusCode, 401, 'signed out');
  const outAgain = await w.post('/v1/volunteer-sessions/sign-out', fresh, {});
  t.equal(outAgain.statusCode, 401, 'an ended session cannot sign out again');
  const withKey = await w.post('/v1/volunteer-sessions/sign-out', w.desk, {});
  t.equal(withKey.statusCode, 401, 'an API key is not a session');

  const again = await w.signIn(volunteerId, 'yet another passphrase');
  const deactivated = await w.post(`/v1/volunteers/${volunteerId}/deactivate`, w.desk, {
    reason: 'moved away',
  });
  t.equal(deactivated.statusCode, 200, { body: deactivated.body });
  const refused = await w.get(`/v1/volunteers/${volunteerId}`, again);
  t.equal(refused.statusCode, 403, "a deactivated volunteer's session stops working");
  t.equal(problemOf(t, refused).code, 'API_KEY_SCOPE_INACTIVE');
  const { volunteerNumber } = (await w.get(`/v1/volunteers/${volunteerId}`, w.desk)).json<{
    volunteerNumber: string;
  }>();
  const credentialEvents = async () => (await w.store.readAll({ maxCount: 100_000 })).length;
  const before = await credentialEvents();
  const signInInactive = await signIn(w, volunteerNumber, 'yet another passphrase');
  t.equal(signInInactive.statusCode, 422, 'a deactivated volunteer gets no new session');
  t.equal(problemOf(t, signInInactive).code, 'VOLUNTEER_INACTIVE');
  t.equal(await credentialEvents(), before, 'and no session is recorded');

  // Every credential event is catalogued: the whole log verifies (what `pnpm ledger verify` runs).
  const verified = await w.get('/v1/audit/verify', w.auditor);
  t.equal(verified.statusCode, 200);
  t.match(verified.json(), { ok: true, failureCount: 0 }, 'the log with credential events verifies');
});

t.test('two devices racing one activation code: exactly one sets the passphrase', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await w.registerVolunteer(7501);
  const { activationCode: code, volunteerNumber } = await activationCode(w, volunteerId);
  const [first, second] = await Promise.all([
    activate(w, { volunteerNumber, activationCode: code, passphrase: 'first device passphrase' }),
    activate(w, { volunteerNumber, activationCode: code, passphrase: 'second device passphrase' }),
  ]);
  t.same([first.statusCode, second.statusCode].sort(), [200, 401], 'one wins, one is refused');
  const winner = first.statusCode === 200 ? 'first device passphrase' : 'second device passphrase';
  const loser = first.statusCode === 200 ? 'second device passphrase' : 'first device passphrase';
  t.equal((await signIn(w, volunteerNumber, winner)).statusCode, 201, "the winner's passphrase works");
  t.equal((await signIn(w, volunteerNumber, loser)).statusCode, 401, "the loser's does not");
});

t.test('after erasure the volunteer’s sessions stop and no new one starts', async (t) => {
  const w = await startWorld(t, UNLIMITED, { clock });
  const volunteerId = await w.registerVolunteer(7201);
  const session = await w.signIn(volunteerId, PASSPHRASE);
  const { volunteerNumber } = (await w.get(`/v1/volunteers/${volunteerId}`, w.desk)).json<{
    volunteerNumber: string;
  }>();
  t.equal((await w.get(`/v1/volunteers/${volunteerId}`, session)).statusCode, 200, 'before erasure');
  const erased = await w.post(`/v1/admin/volunteers/${volunteerId}/erasure`, w.admin, {
    reason: 'consent_withdrawn',
  });
  t.equal(erased.statusCode, 200, erased.body);

  const earlier = await w.get(`/v1/volunteers/${volunteerId}`, session);
  t.equal(earlier.statusCode, 403, 'an open session no longer reads');
  t.equal(problemOf(t, earlier).code, 'API_KEY_SCOPE_INACTIVE');
  const streamBefore = (await w.store.readStream(`credentials-${volunteerNumber}`)).length;
  t.ok(streamBefore > 0, 'the credentials stream holds the earlier sign-in');
  const right = await signIn(w, volunteerNumber, PASSPHRASE);
  t.equal(right.statusCode, 410, 'the right passphrase learns why');
  t.equal(problemOf(t, right).code, 'VOLUNTEER_PERSONAL_DATA_ERASED');
  t.equal(
    (await w.store.readStream(`credentials-${volunteerNumber}`)).length,
    streamBefore,
    'no session was written',
  );
  const wrong = await signIn(w, volunteerNumber, 'not the passphrase at all');
  t.equal(wrong.statusCode, 401, 'a wrong one learns nothing more than before');
  t.equal(problemOf(t, wrong).code, 'VOLUNTEER_SIGN_IN_FAILED');
});
