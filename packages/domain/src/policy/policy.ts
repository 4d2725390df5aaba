/**
 * The `policy-points` stream: versions of the points policy, each effective from an instant.
 * Points are computed under the version in force at the service time and recorded in the
 * `PointsEarned` event, so a later change never rewrites earlier awards and replay needs no
 * recomputation. A version may be withdrawn while it has not taken effect (a typing error, a
 * date in 2099): it then applies to nothing, so withdrawing it rewrites nothing either.
 */
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { Actor, DomainEvent } from '../events/index.js';
import { assertValidPolicyTerms, type LedgerRules, type PointsPolicyTerms } from '../rules.js';
import { formatInstant, MILLISECONDS_PER_DAY, parseInstant } from '../time.js';
import { isAdministrator } from '../authority.js';

/** Who withdrew a version, when and why. */
export interface PolicyWithdrawal {
  readonly withdrawnAt: string;
  readonly actor: Actor;
  readonly reason: string;
}

export interface PolicyVersion {
  readonly version: number;
  readonly effectiveFromMs: number;
  readonly terms: PointsPolicyTerms;
  /** Present once the version was withdrawn (before it took effect): it applies to nothing. */
  readonly withdrawal?: PolicyWithdrawal;
}

export interface PolicyState {
  /**
   * Every version ever published, withdrawn ones included, ascending by version. The versions not
   * withdrawn are also ascending by effective time (the decider enforces it).
   */
  readonly versions: readonly PolicyVersion[];
  readonly processedKeys: ReadonlySet<string>;
}

export const initialPolicyState: PolicyState = Object.freeze({
  versions: [],
  processedKeys: new Set<string>(),
});

export type PolicyCommand = CommandOf<'ChangePointsPolicy' | 'WithdrawPointsPolicyVersion'>;

export function evolvePolicy(state: PolicyState, event: DomainEvent): PolicyState {
  if (event.type === 'PointsPolicyChanged') {
    const version: PolicyVersion = {
      version: event.data.version,
      effectiveFromMs: parseInstant(event.data.effectiveFrom),
      terms: event.data.terms,
    };
    return {
      versions: [...state.versions, version],
      processedKeys: new Set(state.processedKeys).add(event.data.idempotencyKey),
    };
  }
  if (event.type === 'PointsPolicyVersionWithdrawn') {
    const { version, withdrawnAt, actor, reason } = event.data;
    const withdrawal: PolicyWithdrawal = { withdrawnAt, actor, reason };
    return {
      versions: state.versions.map((candidate) =>
        candidate.version === version ? { ...candidate, withdrawal } : candidate,
      ),
      processedKeys: new Set(state.processedKeys).add(event.data.idempotencyKey),
    };
  }
  return state;
}

/** The versions that were not withdrawn: the only ones that ever apply, ascending by effective time. */
function standingVersions(state: PolicyState): PolicyVersion[] {
  return state.versions.filter((version) => version.withdrawal === undefined);
}

/** Version 0 of each set of initial terms, made once: read on every redeemable-points query (issue #15). */
const initialVersions = new WeakMap<PointsPolicyTerms, PolicyVersion>();

/**
 * The version in force at `atMs`: the latest not withdrawn that is effective at or before it, else
 * version 0 (the configured initial terms). A withdrawn version is skipped at every instant: it was
 * withdrawn before it took effect, so it was never in force at any instant before its withdrawal.
 */
export function policyInForceAt(state: PolicyState, rules: LedgerRules, atMs: number): PolicyVersion {
  for (let index = state.versions.length - 1; index >= 0; index -= 1) {
    const candidate = state.versions[index];
    if (candidate !== undefined && candidate.withdrawal === undefined && candidate.effectiveFromMs <= atMs)
      return candidate;
  }
  const terms = rules.initialPointsPolicy;
  let initial = initialVersions.get(terms);
  if (initial === undefined) {
    initial = Object.freeze({ version: 0, effectiveFromMs: Number.MIN_SAFE_INTEGER, terms });
    initialVersions.set(terms, initial);
  }
  return initial;
}

/**
 * The highest balance cap of any policy version: version 0 (the configured initial terms), every
 * version recorded since, and those scheduled to take effect later; not a withdrawn one, which
 * never applied to any balance. No volunteer's available and
 * held points together ever exceed the cap in force when they were earned or received, so no
 * volunteer can ever pay more than this. Lowering the cap takes nothing from balances built up
 * under a higher one, and a version scheduled later may raise it, so neither the cap in force now
 * nor the latest version's alone bounds what a volunteer may hold.
 */
export function highestBalanceCapCentipoints(state: PolicyState, rules: LedgerRules): number {
  return standingVersions(state).reduce(
    (highest, version) => Math.max(highest, version.terms.balanceCapCentipoints),
    rules.initialPointsPolicy.balanceCapCentipoints,
  );
}

/** ChangePointsPolicy or WithdrawPointsPolicyVersion: administrators only, each key decided once. */
export function decidePolicy(
  command: PolicyCommand,
  state: PolicyState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (state.processedKeys.has(command.idempotencyKey)) return [];
  if (!isAdministrator(command.actor))
    return reject('ACTOR_NOT_PERMITTED', 'only an administrator changes the points policy');
  return command.type === 'ChangePointsPolicy'
    ? decideChange(command, state, context)
    : decideWithdrawal(command, state, context);
}

/**
 * ChangePointsPolicy. The effective time may not lie in the past (service already earned under
 * the old terms must keep earning under them) nor before the latest standing version's; a
 * withdrawn version blocks nothing, but its number is not given again.
 */
function decideChange(
  command: CommandOf<'ChangePointsPolicy'>,
  state: PolicyState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const nowMs = parseInstant(context.now);
  const effectiveFromMs = parseInstant(command.effectiveFrom);
  if (effectiveFromMs < nowMs) {
    return reject('POLICY_EFFECTIVE_IN_PAST', 'a policy takes effect now or later, never retroactively', {
      effectiveFrom: command.effectiveFrom,
      now: context.now,
    });
  }
  const latest = standingVersions(state).at(-1);
  if (latest !== undefined && effectiveFromMs <= latest.effectiveFromMs) {
    return reject(
      'POLICY_EFFECTIVE_NOT_AFTER_LATEST',
      'a new policy version must take effect after the latest one',
      {
        latestVersion: latest.version,
      },
    );
  }
  assertValidPolicyTerms(command.terms);
  const unusable = unusableTerm(command.terms, context.rules, effectiveFromMs);
  if (unusable !== undefined) return unusable;
  return [
    {
      type: 'PointsPolicyChanged',
      data: {
        idempotencyKey: command.idempotencyKey,
        version: (state.versions.at(-1)?.version ?? 0) + 1,
        effectiveFrom: command.effectiveFrom,
        terms: command.terms,
        changedAt: context.now,
        actor: command.actor,
      },
    },
  ];
}

/**
 * WithdrawPointsPolicyVersion. Only a version that has not taken effect (effective strictly after
 * now, by the clock every other policy rule reads): no service has earned under it and no
 * balance was capped by it, so withdrawing it changes no past figure and replay stays the same.
 * Version 0 is the configured initial policy, in force from the start.
 */
function decideWithdrawal(
  command: CommandOf<'WithdrawPointsPolicyVersion'>,
  state: PolicyState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (command.version === 0) {
    return reject(
      'POLICY_VERSION_IN_EFFECT',
      'version 0 is the configured initial policy, in force from the start',
      {
        version: 0,
      },
    );
  }
  const target = state.versions.find((candidate) => candidate.version === command.version);
  if (target === undefined)
    return reject('POLICY_VERSION_NOT_FOUND', `no points-policy version ${command.version}`, {
      version: command.version,
    });
  if (target.withdrawal !== undefined) {
    return reject(
      'POLICY_VERSION_ALREADY_WITHDRAWN',
      `points-policy version ${command.version} was withdrawn`,
      {
        version: command.version,
        withdrawnAt: target.withdrawal.withdrawnAt,
      },
    );
  }
  if (target.effectiveFromMs <= parseInstant(context.now)) {
    return reject(
      'POLICY_VERSION_IN_EFFECT',
      'a version that has taken effect is replaced by a new one, never withdrawn',
      {
        version: command.version,
        effectiveFrom: formatInstant(target.effectiveFromMs),
        now: context.now,
      },
    );
  }
  return [
    {
      type: 'PointsPolicyVersionWithdrawn',
      data: {
        idempotencyKey: command.idempotencyKey,
        version: command.version,
        reason: command.reason,
        withdrawnAt: context.now,
        actor: command.actor,
      },
    },
  ];
}

/** The last instant an event can carry (instants are written with a four-digit year). */
const LATEST_INSTANT_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/**
 * Terms the ledger could not apply: the points of the longest record at the highest multiplier
 * must be a safe integer (else every confirmation under the version would fail for ever, since
 * no later version can replace it retroactively), and points earned under it must get an expiry
 * date that can be written. The star level needed to redeem must be one the ledger awards.
 */
function unusableTerm(
  terms: PointsPolicyTerms,
  rules: LedgerRules,
  effectiveFromMs: number,
): DomainError | undefined {
  const highestMultiplier = Math.max(...Object.values(terms.qualityMultiplierPercent));
  if (
    !Number.isSafeInteger(rules.serviceRecordMinutesMax * terms.ratePerHourCentipoints * highestMultiplier)
  ) {
    return reject(
      'INVALID_COMMAND',
      'invalid command: rate × quality multiplier is too large for the longest record',
      { path: 'terms.ratePerHourCentipoints', issueCount: 1 },
    );
  }
  // Stars run from 1 to the number of thresholds: a higher minimum is a typing error that would
  // bar every volunteer from redeeming until another version replaced it.
  if (terms.minStarToRedeem > rules.starThresholdsHours.length) {
    return reject(
      'INVALID_COMMAND',
      `invalid command: minStarToRedeem is above the highest star level (${rules.starThresholdsHours.length})`,
      { path: 'terms.minStarToRedeem', issueCount: 1 },
    );
  }
  if (
    terms.expiryDays !== null &&
    effectiveFromMs + terms.expiryDays * MILLISECONDS_PER_DAY > LATEST_INSTANT_MS
  ) {
    return reject('INVALID_COMMAND', 'invalid command: expiryDays reaches beyond the year 9999', {
      path: 'terms.expiryDays',
      issueCount: 1,
    });
  }
  return undefined;
}
