/**
 * WithdrawPointsPolicyVersion: a version published by mistake (a date in 2099, a cap of 0) is
 * withdrawn while it has not taken effect. It then applies to nothing and blocks no later
 * version; every other case is refused with its own code. The property at the end checks that a
 * withdrawal never changes which version was in force at any instant up to it, so replaying the
 * policy stream gives every past award the same version it had.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import t from 'tap';
import {
  DEFAULT_LEDGER_RULES,
  deciderFor,
  formatInstant,
  highestBalanceCapCentipoints,
  isDomainError,
  parseInstant,
  policyInForceAt,
  type CommandInput,
  type DomainEvent,
  type PolicyState,
} from '../src/index.js';
import { confirm, record } from './support/fixtures.js';
import { volunteerWithHours } from './support/points-setup.js';
import {
  ADMIN,
  decideOn,
  given,
  history,
  lastRecordId,
  NOW,
  PARTNER_USER,
  testContext,
} from './support/scenario.js';

const terms = {
  ratePerHourCentipoints: 200,
  qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
  balanceCapCentipoints: 0,
  dailyEarningCapCentipoints: null,
  minStarToRedeem: 0,
  expiryDays: null,
};
const change = (effectiveFrom: string, overrides: Record<string, unknown> = {}): CommandInput => ({
  type: 'ChangePointsPolicy',
  idempotencyKey: `policy-${effectiveFrom}`,
  actor: ADMIN,
  effectiveFrom,
  terms: { ...terms, ...overrides },
});
const withdraw = (
  version: number,
  key = `withdraw-${version}`,
  reason = 'typed the wrong year',
): CommandInput => ({
  type: 'WithdrawPointsPolicyVersion',
  idempotencyKey: key,
  actor: ADMIN,
  version,
  reason,
});
const fold = (events: readonly DomainEvent[]): PolicyState => {
  const decider = deciderFor('policy');
  return events.reduce(decider.evolve, decider.initialState());
};

t.test('a version not yet in effect is withdrawn once, by an administrator, with a reason', async (t) => {
  const typo = history(t, [change('2099-01-01T00:00:00.000Z')]);
  const withdrawn = given(t, typo)
    .when(withdraw(1))
    .then([
      {
        type: 'PointsPolicyVersionWithdrawn',
        data: { version: 1, reason: 'typed the wrong year', withdrawnAt: NOW, actor: ADMIN },
      },
    ]);
  const after = [...typo, ...withdrawn];
  given(t, after).when(withdraw(1)).then([]);
  given(t, after)
    .when(withdraw(1, 'withdraw-again'))
    .thenFails('POLICY_VERSION_ALREADY_WITHDRAWN', { version: 1, withdrawnAt: NOW });
  given(t, typo)
    .when({ ...withdraw(1), actor: PARTNER_USER })
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, typo)
    .when(withdraw(1, 'blank', '  '))
    .thenFails('INVALID_COMMAND', { path: 'reason' });
  given(t, typo).when(withdraw(2)).thenFails('POLICY_VERSION_NOT_FOUND', { version: 2 });
  given(t, []).when(withdraw(1)).thenFails('POLICY_VERSION_NOT_FOUND');
  given(t, typo).when(withdraw(0)).thenFails('POLICY_VERSION_IN_EFFECT', { version: 0 });
  t.match(fold(after).versions, [
    { version: 1, withdrawal: { withdrawnAt: NOW, reason: 'typed the wrong year' } },
  ]);
});

t.test('a version is withdrawable only while its effective time is strictly after now', async (t) => {
  const nowMs = parseInstant(NOW);
  const atNow = history(t, [change(NOW)]);
  given(t, atNow)
    .when(withdraw(1))
    .thenFails('POLICY_VERSION_IN_EFFECT', { version: 1, effectiveFrom: NOW, now: NOW });
  const oneMillisecondLater = formatInstant(nowMs + 1);
  given(t, history(t, [change(oneMillisecondLater)]))
    .when(withdraw(1))
    .then([{ type: 'PointsPolicyVersionWithdrawn' }]);
  const published = history(t, [change('2026-04-01T00:00:00.000Z')]);
  given(t, published, testContext({ now: '2026-04-02T00:00:00.000Z' }))
    .when(withdraw(1))
    .thenFails('POLICY_VERSION_IN_EFFECT', { effectiveFrom: '2026-04-01T00:00:00.000Z' });
});

t.test('a withdrawn version blocks no later version; its number is not given again', async (t) => {
  const april = history(t, [change('2026-04-01T00:00:00.000Z'), change('2099-01-01T00:00:00.000Z')]);
  given(t, april)
    .when(change('2026-05-01T00:00:00.000Z'))
    .thenFails('POLICY_EFFECTIVE_NOT_AFTER_LATEST', { latestVersion: 2 });
  const withdrawn = history(t, [withdraw(2)], testContext(), april);
  given(t, withdrawn)
    .when(change('2026-05-01T00:00:00.000Z'))
    .then([{ type: 'PointsPolicyChanged', data: { version: 3, effectiveFrom: '2026-05-01T00:00:00.000Z' } }]);
  given(t, withdrawn)
    .when(change('2026-03-20T00:00:00.000Z'))
    .thenFails('POLICY_EFFECTIVE_NOT_AFTER_LATEST', { latestVersion: 1 });
  given(t, history(t, [withdraw(1, 'withdraw-april')], testContext(), withdrawn))
    .when(change('2026-03-20T00:00:00.000Z'))
    .then([{ type: 'PointsPolicyChanged', data: { version: 3 } }]);
});

t.test('a withdrawn version applies to nothing: not to earning, not to any balance cap', async (t) => {
  // Version 1 (rate 2 points an hour, cap 0) from 14:00 local on 2026-03-09, withdrawn the next day.
  const published = history(
    t,
    [change('2026-03-09T06:00:00.000Z', { balanceCapCentipoints: 900_000 })],
    testContext({ now: '2025-12-01T00:00:00.000Z' }),
  );
  const events = history(t, [withdraw(1)], testContext({ now: '2025-12-02T00:00:00.000Z' }), published);
  const pointsPolicy = fold(events);
  const rules = DEFAULT_LEDGER_RULES;
  t.equal(policyInForceAt(pointsPolicy, rules, parseInstant('2026-06-01T00:00:00.000Z')).version, 0);
  t.equal(policyInForceAt(fold(published), rules, parseInstant('2026-06-01T00:00:00.000Z')).version, 1);
  t.equal(highestBalanceCapCentipoints(fold(published), rules), 900_000, 'while scheduled it counts');
  t.equal(
    highestBalanceCapCentipoints(pointsPolicy, rules),
    rules.initialPointsPolicy.balanceCapCentipoints,
    'once withdrawn it bounds nothing',
  );
  // Two hours from 15:00 local, after the withdrawn version's date: version 0's 1 point an hour.
  const context = testContext({ pointsPolicy });
  const volunteer = history(t, [record(15, 17)], context, volunteerWithHours(t, 0.5, context));
  const earned = history(t, [confirm(lastRecordId(volunteer))], context, volunteer).at(-1);
  t.match(earned, { type: 'PointsEarned', data: { policyVersion: 0, centipoints: 200 } });
});

const HOUR_MS = 3_600_000;
type Step =
  | { readonly kind: 'change'; readonly hoursAhead: number }
  | { readonly kind: 'withdraw'; readonly version: number }
  | { readonly kind: 'advance'; readonly hours: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('change' as const), hoursAhead: fc.integer({ min: 0, max: 24 * 400 }) }),
  fc.record({ kind: fc.constant('withdraw' as const), version: fc.integer({ min: 0, max: 8 }) }),
  fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 24 * 60 }) }),
);

t.test('withdrawing never changes the version in force at any instant up to the withdrawal', async (t) => {
  const startMs = parseInstant(NOW);
  fc.assert(
    fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
      let nowMs = startMs;
      let events: DomainEvent[] = [];
      steps.forEach((next, index) => {
        if (next.kind === 'advance') {
          nowMs += next.hours * HOUR_MS;
          return;
        }
        const command =
          next.kind === 'change'
            ? { ...change(formatInstant(nowMs + next.hoursAhead * HOUR_MS)), idempotencyKey: `k${index}` }
            : withdraw(next.version, `k${index}`);
        const result = decideOn(events, command, testContext({ now: formatInstant(nowMs) }));
        if (isDomainError(result)) return;
        const before = fold(events);
        events = [...events, ...result];
        const after = fold(events);
        if (result[0]?.type !== 'PointsPolicyVersionWithdrawn') return;
        // Every instant up to the withdrawal, and the withdrawn version's own date (never reached).
        for (let atMs = startMs - HOUR_MS; atMs <= nowMs; atMs += 6 * HOUR_MS) {
          const was = policyInForceAt(before, DEFAULT_LEDGER_RULES, atMs).version;
          if (policyInForceAt(after, DEFAULT_LEDGER_RULES, atMs).version !== was)
            throw new Error(`changed at ${atMs}`);
        }
      });
      // Replay: events decoded from JSON fold to the same versions, withdrawn ones marked.
      const replayed = fold(JSON.parse(JSON.stringify(events)) as DomainEvent[]);
      if (!isDeepStrictEqual(replayed.versions, fold(events).versions)) throw new Error('replay differs');
      const standing = replayed.versions.filter((version) => version.withdrawal === undefined);
      return standing.every(
        (version, index) =>
          index === 0 || version.effectiveFromMs > (standing[index - 1]?.effectiveFromMs ?? 0),
      );
    }),
    { numRuns: 300 },
  );
  t.pass('300 random runs of changes, withdrawals and a moving clock');
});
