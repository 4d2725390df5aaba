/** Pure questions about a volunteer's state that several deciders and the read side ask. */
import type { LedgerRules } from '../rules.js';
import type { VolunteerState } from './state.js';

/** Stars whose notice window has passed by `nowMs` (flagged awards still count until reviewed). */
export function effectiveStarLevel(state: VolunteerState, nowMs: number): number {
  return state.awards.reduce(
    (level, award) => (award.effectiveAtMs <= nowMs ? Math.max(level, award.level) : level),
    0,
  );
}

/** Highest level awarded, including awards still in their notice window. */
export function awardedStarLevel(state: VolunteerState): number {
  return state.awards.reduce((level, award) => Math.max(level, award.level), 0);
}

/** Stars the confirmed hours make the volunteer eligible for. */
export function eligibleStarLevel(confirmedMinutes: number, rules: LedgerRules): number {
  return rules.starThresholdsHours.filter((hours) => confirmedMinutes >= hours * 60).length;
}

/**
 * Centipoints due to expire at `nowMs` and not yet recorded as expired. Points are spent
 * soonest-expiring first, so whatever has left the account (held, sent, donated, offered) is
 * counted against the lots that expire earliest; only the rest of an expired lot expires.
 */
export function expirableCentipoints(state: VolunteerState, nowMs: number): number {
  let dueLots = 0;
  for (const lot of state.expiringLots.values()) if (lot.expiresAtMs <= nowMs) dueLots += lot.centipoints;
  const remaining = dueLots - state.spentNetCentipoints - state.expiredCentipoints;
  return Math.max(0, Math.min(remaining, state.availableCentipoints));
}

/** What a volunteer may spend now: available minus points already due to expire. */
export function usableCentipoints(state: VolunteerState, nowMs: number): number {
  return state.availableCentipoints - expirableCentipoints(state, nowMs);
}

/** Ids of pending holds whose timeout has passed: the scheduler sends `ExpireHold` for each. */
export function dueHoldExpiries(state: VolunteerState, nowMs: number): string[] {
  return [...state.holds.values()]
    .filter((hold) => hold.status === 'pending' && hold.expiresAtMs <= nowMs)
    .map((hold) => hold.holdId);
}
