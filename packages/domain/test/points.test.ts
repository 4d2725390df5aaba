import t from 'tap';
import {
  computeBalances,
  DEFAULT_LEDGER_RULES,
  foldVolunteer,
  policyDecider,
  type CommandInput,
  type DomainEvent,
} from '../src/index.js';
import {
  ADMIN,
  confirm,
  expirePoints,
  hold,
  local,
  record,
  SYSTEM,
  VOLUNTEER_ID,
} from './support/fixtures.js';
import { partnerContext, partnerState, volunteerWithHours } from './support/points-setup.js';
import {
  DESK,
  given,
  history,
  lastRecordId,
  NOW,
  ORGANISER,
  PARTNER_USER,
  testContext,
} from './support/scenario.js';

const OTHER_PARTNER_USER = { id: 'u2', role: 'partner', partnerId: 'p2' } as const;
const holdIdOf = (events: DomainEvent[]): string => {
  const held = events.findLast((event) => event.type === 'PointsHeld');
  if (held?.type !== 'PointsHeld') throw new Error('no hold');
  return held.data.holdId;
};
const resolve = (
  type: 'CapturePoints' | 'ReleasePoints',
  holdId: string,
  key = `${type}-${holdId}`,
): CommandInput => ({
  type,
  idempotencyKey: key,
  actor: PARTNER_USER,
  volunteerId: VOLUNTEER_ID,
  holdId,
  partnerId: 'p1',
});
const expireHold = (holdId: string): CommandInput => ({
  type: 'ExpireHold',
  idempotencyKey: `expire-${holdId}`,
  actor: SYSTEM,
  volunteerId: VOLUNTEER_ID,
  holdId,
});

t.test('HoldPoints then CapturePoints moves points to the partner, once', async (t) => {
  const context = partnerContext(t);
  const earned = volunteerWithHours(t, 10, context); // 1000 centipoints
  const account = `volunteer:${VOLUNTEER_ID}`;
  const held = [
    ...earned,
    ...given(t, earned, context)
      .when(hold(500))
      .then([
        {
          type: 'PointsHeld',
          data: {
            fromAccount: account,
            toAccount: `held:${VOLUNTEER_ID}`,
            centipoints: 500,
            expiresAt: '2026-03-11T04:00:00.000Z',
          },
        },
      ]),
  ];
  const holdId = holdIdOf(held);
  const captured = [
    ...held,
    ...given(t, held, context)
      .when(resolve('CapturePoints', holdId))
      .then([{ type: 'PointsCaptured', data: { holdId, toAccount: 'partner:p1', centipoints: 500 } }]),
  ];
  given(t, captured, context).when(resolve('CapturePoints', holdId)).then([]);
  given(t, captured, context)
    .when(resolve('CapturePoints', holdId, 'another-key'))
    .thenFails('HOLD_ALREADY_RESOLVED', { status: 'captured' });
  given(t, captured, context).when(resolve('ReleasePoints', holdId)).thenFails('HOLD_ALREADY_RESOLVED');
  given(t, captured, context).when(expireHold(holdId)).thenFails('HOLD_ALREADY_RESOLVED');
  t.same(Object.fromEntries(computeBalances(captured)), {
    issuance: -1000,
    [account]: 500,
    [`held:${VOLUNTEER_ID}`]: 0,
    'partner:p1': 500,
  });
});

t.test('ReleasePoints returns held points; another partner sees HOLD_NOT_FOUND', async (t) => {
  const context = partnerContext(t);
  const earned = volunteerWithHours(t, 10, context);
  const held = history(t, [hold(500)], context, earned);
  const holdId = holdIdOf(held);
  given(t, held, context)
    .when(resolve('ReleasePoints', holdId))
    .then([{ type: 'PointsReleased', data: { toAccount: `volunteer:${VOLUNTEER_ID}`, centipoints: 500 } }]);
  given(t, held, context)
    .when({ ...resolve('ReleasePoints', holdId), partnerId: 'p2', actor: OTHER_PARTNER_USER } as CommandInput)
    .thenFails('HOLD_NOT_FOUND');
  given(t, held, context)
    .when({ ...resolve('ReleasePoints', holdId), actor: OTHER_PARTNER_USER })
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, held, context).when(resolve('CapturePoints', 'no-such-hold')).thenFails('HOLD_NOT_FOUND');
});

t.test('a hold past its timeout cannot be captured and is expired by the clock', async (t) => {
  const context = partnerContext(t);
  const earned = volunteerWithHours(t, 10, context);
  const held = history(t, [hold(500, { holdTimeoutSeconds: 3600 })], context, earned);
  const holdId = holdIdOf(held);
  given(t, held, context).when(expireHold(holdId)).thenFails('HOLD_NOT_EXPIRED');
  const later = partnerContext(t, { now: '2026-03-10T05:00:00.000Z' });
  given(t, held, later).when(resolve('CapturePoints', holdId)).thenFails('HOLD_EXPIRED');
  given(t, held, later)
    .when(expireHold(holdId))
    .then([
      {
        type: 'PointsHoldExpired',
        data: { holdId, centipoints: 500, toAccount: `volunteer:${VOLUNTEER_ID}` },
      },
    ]);
  // However late the clock sends it, the expiry is effective at the hold's due time.
  const muchLater = partnerContext(t, { now: '2026-03-12T00:00:00.000Z' });
  given(t, held, muchLater)
    .when(expireHold(holdId))
    .then([
      {
        type: 'PointsHoldExpired',
        data: { holdId, expiredAt: (held.at(-1)?.data as { expiresAt: string }).expiresAt },
      },
    ]);
  given(t, held, later)
    .when({ ...expireHold(holdId), actor: PARTNER_USER })
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, held, context)
    .when(hold(500, { holdTimeoutSeconds: 31 * 86_400 }))
    .thenFails('HOLD_TIMEOUT_TOO_LONG');
});

t.test('available points never go below zero: INSUFFICIENT_POINTS', async (t) => {
  const context = partnerContext(t);
  const earned = volunteerWithHours(t, 4, context); // 400 centipoints, offer costs 500
  given(t, earned, context).when(hold(500)).thenFailsTelling('INSUFFICIENT_POINTS', {});
  const more = volunteerWithHours(t, 10, context);
  const oneHold = history(t, [hold(500)], context, more);
  given(t, oneHold, context)
    .when(hold(500))
    .then([{ type: 'PointsHeld' }]);
  const twoHolds = history(t, [hold(500)], context, oneHold);
  given(t, twoHolds, context).when(hold(500)).thenFailsTelling('INSUFFICIENT_POINTS', {});
});

t.test('RedeemPoints holds and captures at once', async (t) => {
  const context = partnerContext(t);
  const earned = volunteerWithHours(t, 10, context);
  const redeem = {
    type: 'RedeemPoints',
    idempotencyKey: 'redeem-1',
    actor: PARTNER_USER,
    volunteerId: VOLUNTEER_ID,
    partnerId: 'p1',
    offerId: 'haircut',
    centipoints: 500,
  } as const;
  const decided = given(t, earned, context)
    .when(redeem)
    .then([{ type: 'PointsHeld' }, { type: 'PointsCaptured', data: { toAccount: 'partner:p1' } }]);
  given(t, [...earned, ...decided], context)
    .when(redeem)
    .then([]);
});

t.test('partner and offer checks', async (t) => {
  const earned = volunteerWithHours(t, 10);
  given(t, earned, testContext()).when(hold(500)).thenFails('PARTNER_NOT_FOUND');
  const suspended = partnerState(t, [
    {
      type: 'PartnerSuspended',
      data: { idempotencyKey: 's', partnerId: 'p1', reason: 'complaints', suspendedAt: NOW, actor: ADMIN },
    },
  ]);
  given(t, earned, testContext({ partner: suspended }))
    .when(hold(500))
    .thenFails('PARTNER_SUSPENDED');
  given(t, earned, partnerContext(t))
    .when(hold(500, { offerId: 'massage' }))
    .thenFails('OFFER_NOT_FOUND');
  given(t, earned, partnerContext(t))
    .when(hold(400))
    .thenFails('OFFER_PRICE_MISMATCH', { priceCentipoints: 500 });
  given(t, earned, partnerContext(t))
    .when(hold(500, { actor: DESK }))
    .thenFails('ACTOR_NOT_PERMITTED');
});

/** A policy history with one version effective from `effectiveFrom`. */
function policyWith(
  t: Parameters<typeof history>[0],
  terms: Record<string, unknown>,
  effectiveFrom = '2026-01-01T00:00:00.000Z',
) {
  const base = {
    ratePerHourCentipoints: 100,
    qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
    balanceCapCentipoints: 150_000,
    dailyEarningCapCentipoints: null,
    minStarToRedeem: 0,
    expiryDays: null,
  };
  const events = history(
    t,
    [
      {
        type: 'ChangePointsPolicy',
        idempotencyKey: `policy-${effectiveFrom}`,
        actor: ADMIN,
        effectiveFrom,
        terms: { ...base, ...terms },
      },
    ],
    testContext({ now: '2025-12-01T00:00:00.000Z' }),
  );
  return events.reduce(policyDecider.evolve, policyDecider.initialState());
}

t.test('minimum star to redeem: STAR_LEVEL_TOO_LOW_TO_REDEEM', async (t) => {
  const context = partnerContext(t, { pointsPolicy: policyWith(t, { minStarToRedeem: 1 }) });
  given(t, volunteerWithHours(t, 10, context), context)
    .when(hold(500))
    .thenFailsTelling('STAR_LEVEL_TOO_LOW_TO_REDEEM', { minStarToRedeem: 1 });
});

t.test('earnings above the balance cap are offered for donation, not lost', async (t) => {
  const context = testContext({ pointsPolicy: policyWith(t, { balanceCapCentipoints: 700 }) });
  const earned = volunteerWithHours(t, 5, context);
  const recorded = history(t, [record(14, 18)], context, earned);
  const decided = given(t, recorded, context)
    .when(confirm(lastRecordId(recorded)))
    .then([
      { type: 'ServiceHoursConfirmed' },
      { type: 'PointsEarned', data: { centipoints: 400 } },
      {
        type: 'PointsExcessOffered',
        data: {
          centipoints: 200,
          fromAccount: `volunteer:${VOLUNTEER_ID}`,
          toAccount: `offered:${VOLUNTEER_ID}`,
          balanceCapCentipoints: 700,
        },
      },
    ]);
  const balances = computeBalances([...recorded, ...decided]);
  t.equal(balances.get(`volunteer:${VOLUNTEER_ID}`), 700);
  t.equal(balances.get(`offered:${VOLUNTEER_ID}`), 200);
});

t.test('voiding a record whose points went above the cap takes them back from offered first', async (t) => {
  const context = testContext({ pointsPolicy: policyWith(t, { balanceCapCentipoints: 700 }) });
  const earned = volunteerWithHours(t, 5, context);
  const recorded = history(t, [record(14, 18)], context, earned);
  const recordId = lastRecordId(recorded);
  const confirmed = history(t, [confirm(recordId)], context, recorded);
  t.equal(computeBalances(confirmed).get(`offered:${VOLUNTEER_ID}`), 200, '200 of its 400 went to offered');
  const decided = given(t, confirmed, context)
    .when({
      type: 'VoidServiceRecord',
      idempotencyKey: 'void-over-the-cap',
      actor: ORGANISER,
      volunteerId: VOLUNTEER_ID,
      recordId,
      reasonCode: 'duplicate_record',
    })
    .then([
      { type: 'ServiceRecordVoided' },
      {
        type: 'PointsReversed',
        data: { fromAccount: `volunteer:${VOLUNTEER_ID}`, centipoints: 200, earnedCentipoints: 400 },
      },
      {
        type: 'PointsReversed',
        data: { fromAccount: `offered:${VOLUNTEER_ID}`, centipoints: 200, earnedCentipoints: 0 },
      },
    ]);
  const balances = computeBalances([...confirmed, ...decided]);
  t.equal(balances.get(`volunteer:${VOLUNTEER_ID}`), 500, 'the other records keep their 500 points');
  t.equal(balances.get(`offered:${VOLUNTEER_ID}`) ?? 0, 0, 'nothing of the void is left to donate');
  const state = foldVolunteer([...confirmed, ...decided]);
  t.equal(state.availableCentipoints, 500);
  t.equal(state.offeredCentipoints, 0);
});

t.test('the daily earning cap limits points per local service day', async (t) => {
  const context = testContext({ pointsPolicy: policyWith(t, { dailyEarningCapCentipoints: 200 }) });
  const earned = volunteerWithHours(t, 3, context);
  t.match(earned.at(-1), { type: 'PointsEarned', data: { centipoints: 200, uncappedCentipoints: 300 } });
  const recorded = history(t, [record(14, 15)], context, earned);
  given(t, recorded, context)
    .when(confirm(lastRecordId(recorded)))
    .then([
      { type: 'ServiceHoursConfirmed' },
      { type: 'PointsEarned', data: { centipoints: 0, uncappedCentipoints: 100 } },
    ]);
});

t.test('points follow the policy in force at the service time, not at confirmation', async (t) => {
  // Version 1 doubles the rate from 2026-03-09T06:00Z (14:00 local on the 9th).
  const context = testContext({
    pointsPolicy: policyWith(t, { ratePerHourCentipoints: 200 }, '2026-03-09T06:00:00.000Z'),
  });
  let events = history(t, [record(9, 11), record(15, 17)], context, volunteerWithHours(t, 0.5, context));
  const [morning, afternoon] = events
    .filter((event) => event.type === 'ServiceHoursRecorded')
    .slice(1)
    .map((event) => (event.type === 'ServiceHoursRecorded' ? event.data.recordId : ''));
  events = history(t, [confirm(morning ?? ''), confirm(afternoon ?? '')], context, events);
  const earnings = events
    .filter((event) => event.type === 'PointsEarned')
    .map((event) =>
      event.type === 'PointsEarned' ? [event.data.policyVersion, event.data.centipoints] : [],
    );
  t.same(earnings, [
    [0, 50],
    [0, 200],
    [1, 400],
  ]);
});

t.test('expiry: points due to expire are not spendable and ExpirePoints records them', async (t) => {
  const context = partnerContext(t, { pointsPolicy: policyWith(t, { expiryDays: 30 }) });
  const earned = volunteerWithHours(t, 10, context);
  t.match(earned.at(-1), { type: 'PointsEarned', data: { expiresAt: '2026-04-09T04:00:00.000Z' } });
  const expire = {
    type: 'ExpirePoints',
    idempotencyKey: 'expire-points-1',
    actor: SYSTEM,
    volunteerId: VOLUNTEER_ID,
  } as const;
  given(t, earned, context).when(expire).thenFails('NO_POINTS_TO_EXPIRE');
  const held = history(t, [hold(500)], context, earned);
  const later = partnerContext(t, { now: '2026-04-10T00:00:00.000Z', pointsPolicy: context.pointsPolicy });
  given(t, held, later).when(hold(500)).thenFailsTelling('INSUFFICIENT_POINTS', {});
  // The held 500 were spent from the expiring lot first; only the other 500 expire.
  given(t, held, later)
    .when(expire)
    .then([{ type: 'PointsExpired', data: { centipoints: 500, toAccount: 'expired' } }]);
  given(t, held, later)
    .when({ ...expire, actor: DESK })
    .thenFails('ACTOR_NOT_PERMITTED');
});

t.test('points use exact integer arithmetic', async (t) => {
  const context = testContext();
  const events = volunteerWithHours(t, 1 / 3, context); // 20 minutes at 100/h = 33.33 centipoints, rounded down
  t.match(events.at(-1), { type: 'PointsEarned', data: { durationMinutes: 20, centipoints: 33 } });
  t.equal(local(9, 8), '2026-03-09T00:00:00.000Z');
});

t.test(
  'expiry by lot: the clock dates it at the lot expiry, once, and settles a spent lot with 0',
  async (t) => {
    const context = partnerContext(t, { pointsPolicy: policyWith(t, { expiryDays: 30 }) });
    const earned = volunteerWithHours(t, 10, context);
    const { recordId, expiresAt } = (earned.at(-1) as { data: { recordId: string; expiresAt: string } }).data;
    const expire = expirePoints(recordId);
    // Before its date the lot is not due.
    given(t, earned, context).when(expire).thenFails('NO_POINTS_TO_EXPIRE');
    const late = partnerContext(t, { now: '2026-05-01T00:00:00.000Z', pointsPolicy: context.pointsPolicy });
    // A sweep weeks late still dates the expiry at the lot's date.
    const expired = history(t, [expire], late, earned);
    t.match(expired.at(-1), {
      type: 'PointsExpired',
      data: { centipoints: 1000, recordId, expiredAt: expiresAt },
    });
    // Once settled, a second expiry of the lot (under another key) finds nothing.
    given(t, expired, late)
      .when({ ...expire, idempotencyKey: 'expire-again' })
      .thenFails('NO_POINTS_TO_EXPIRE');
    // A lot spent entirely before its date settles with nothing expired.
    const spent = history(t, [hold(500), hold(500)], context, earned);
    given(t, spent, late)
      .when(expire)
      .then([{ type: 'PointsExpired', data: { centipoints: 0, recordId, expiredAt: expiresAt } }]);
    given(t, [...earned], late)
      .when(expirePoints('no-such-record'))
      .thenFails('NO_POINTS_TO_EXPIRE');
  },
);

/**
 * Found by the API QA pass: a version whose rate × multiplier overflowed was accepted, and every
 * confirmation of service in its window then failed with a 500, for ever (no version replaces it
 * retroactively). Likewise an expiry too far for any instant to be written.
 */
t.test('a points policy the ledger could not apply is refused: INVALID_COMMAND', async (t) => {
  const MAX = Number.MAX_SAFE_INTEGER;
  const change = (terms: Record<string, unknown>): CommandInput => ({
    type: 'ChangePointsPolicy',
    idempotencyKey: 'policy-unusable',
    actor: ADMIN,
    effectiveFrom: '2026-01-01T00:00:00.000Z',
    terms: {
      ratePerHourCentipoints: 100,
      qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
      balanceCapCentipoints: 150_000,
      dailyEarningCapCentipoints: null,
      minStarToRedeem: 0,
      expiryDays: null,
      ...terms,
    },
  });
  const context = testContext({ now: '2025-12-01T00:00:00.000Z' });
  given(t, [], context)
    .when(change({ ratePerHourCentipoints: MAX }))
    .thenFails('INVALID_COMMAND', { path: 'terms.ratePerHourCentipoints' });
  given(t, [], context)
    .when(change({ qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: MAX } }))
    .thenFails('INVALID_COMMAND', { path: 'terms.ratePerHourCentipoints' });
  given(t, [], context)
    .when(change({ expiryDays: MAX }))
    .thenFails('INVALID_COMMAND', { path: 'terms.expiryDays' });
  // Found over HTTP: minStarToRedeem 6 to 10 was accepted while the ledger knows five star levels,
  // so from its effective date no volunteer could redeem a point until another version came.
  given(t, [], context)
    .when(change({ minStarToRedeem: DEFAULT_LEDGER_RULES.starThresholdsHours.length + 1 }))
    .thenFails('INVALID_COMMAND', { path: 'terms.minStarToRedeem' });
  given(t, [], context)
    .when(change({ minStarToRedeem: DEFAULT_LEDGER_RULES.starThresholdsHours.length }))
    .then([{ type: 'PointsPolicyChanged' }]);
  // Generous but usable terms pass: 12 h at 10,000 points an hour and 1,000 %, points kept 100 years.
  given(t, [], context)
    .when(
      change({
        ratePerHourCentipoints: 1_000_000,
        qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 1000 },
        expiryDays: 36_500,
      }),
    )
    .then([{ type: 'PointsPolicyChanged' }]);
});
