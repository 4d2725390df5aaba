/** A volunteer with confirmed service (hence points) and a partner with a 5-point offer. */
import type { Test } from 'tap';
import {
  deciderFor,
  type DecideContext,
  type DomainEvent,
  type PartnerState,
  type PolicyState,
} from '../../src/index.js';
import { confirm, mandate, partnerSetup, record, register } from './fixtures.js';
import { ADMIN, history, lastRecordId, testContext } from './scenario.js';

export function partnerState(t: Test, extra: DomainEvent[] = []): PartnerState {
  const events = [...history(t, partnerSetup), ...extra];
  const decider = deciderFor('partner');
  return events.reduce(decider.evolve, decider.initialState());
}

/**
 * Registers the volunteer, records their mandate to partner p1 (so p1's holds have consent), and
 * confirms `hours` of service on local 2026-03-09 from 08:00 (standard quality).
 */
export function volunteerWithHours(
  t: Test,
  hours: number,
  context: DecideContext = testContext(),
): DomainEvent[] {
  let events = history(t, [register()], context);
  events = history(t, [mandate()], { ...context, partner: partnerState(t) }, events);
  events = history(t, [record(8, 8 + hours)], context, events);
  return history(t, [confirm(lastRecordId(events))], context, events);
}

export function partnerContext(t: Test, overrides: Partial<DecideContext> = {}): DecideContext {
  return testContext({ partner: partnerState(t), ...overrides });
}

/** Points-policy terms the expiry tests share (1 point an hour, no daily cap), expiry aside. */
export const EXPIRY_TEST_TERMS = {
  ratePerHourCentipoints: 100,
  qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
  balanceCapCentipoints: 150_000,
  dailyEarningCapCentipoints: null,
  minStarToRedeem: 0,
};

/**
 * The points-policy state after each version took effect on its date, in order: `expiryDays` on
 * top of `EXPIRY_TEST_TERMS` (null: points never expire). Decided on 2025-12-01, before any of them.
 */
export function policyWithExpiry(
  t: Test,
  versions: readonly { readonly effectiveFrom: string; readonly expiryDays: number | null }[],
): PolicyState {
  const decider = deciderFor('policy');
  const events = history(
    t,
    versions.map(({ effectiveFrom, expiryDays }, index) => ({
      type: 'ChangePointsPolicy',
      idempotencyKey: `policy-${index + 1}`,
      actor: ADMIN,
      effectiveFrom,
      terms: { ...EXPIRY_TEST_TERMS, expiryDays },
    })),
    testContext({ now: '2025-12-01T00:00:00.000Z' }),
  );
  return events.reduce(decider.evolve, decider.initialState());
}
