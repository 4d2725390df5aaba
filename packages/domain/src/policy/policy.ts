/**
 * The `policy-points` stream: versions of the points policy, each effective from an instant.
 * Points are computed under the version in force at the service time and recorded in the
 * `PointsEarned` event, so a later change never rewrites earlier awards and replay needs no
 * recomputation.
 */
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';
import { assertValidPolicyTerms, type LedgerRules, type PointsPolicyTerms } from '../rules.js';
import { parseInstant } from '../time.js';
import { isAdministrator } from '../authority.js';

export interface PolicyVersion {
  readonly version: number;
  readonly effectiveFromMs: number;
  readonly terms: PointsPolicyTerms;
}

export interface PolicyState {
  /** Ascending by version and by effective time (the decider enforces both). */
  readonly versions: readonly PolicyVersion[];
  readonly processedKeys: ReadonlySet<string>;
}

export const initialPolicyState: PolicyState = Object.freeze({
  versions: [],
  processedKeys: new Set<string>(),
});

export function evolvePolicy(state: PolicyState, event: DomainEvent): PolicyState {
  if (event.type !== 'PointsPolicyChanged') return state;
  const processedKeys = new Set(state.processedKeys).add(event.data.idempotencyKey);
  const version: PolicyVersion = {
    version: event.data.version,
    effectiveFromMs: parseInstant(event.data.effectiveFrom),
    terms: event.data.terms,
  };
  return { versions: [...state.versions, version], processedKeys };
}

/** Version 0 of each set of initial terms, made once: read on every redeemable-points query (issue #15). */
const initialVersions = new WeakMap<PointsPolicyTerms, PolicyVersion>();

/** The version in force at `atMs`: the latest effective at or before it, else version 0 (the configured initial terms). */
export function policyInForceAt(state: PolicyState, rules: LedgerRules, atMs: number): PolicyVersion {
  for (let index = state.versions.length - 1; index >= 0; index -= 1) {
    const candidate = state.versions[index];
    if (candidate !== undefined && candidate.effectiveFromMs <= atMs) return candidate;
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
 * ChangePointsPolicy. The effective time may not lie in the past (service already earned under
 * the old terms must keep earning under them) nor before the latest version's.
 */
export function decidePolicy(
  command: CommandOf<'ChangePointsPolicy'>,
  state: PolicyState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (state.processedKeys.has(command.idempotencyKey)) return [];
  if (!isAdministrator(command.actor))
    return reject('ACTOR_NOT_PERMITTED', 'only an administrator changes the points policy');
  const nowMs = parseInstant(context.now);
  const effectiveFromMs = parseInstant(command.effectiveFrom);
  if (effectiveFromMs < nowMs) {
    return reject('POLICY_EFFECTIVE_IN_PAST', 'a policy takes effect now or later, never retroactively', {
      effectiveFrom: command.effectiveFrom,
      now: context.now,
    });
  }
  const latest = state.versions[state.versions.length - 1];
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
  return [
    {
      type: 'PointsPolicyChanged',
      data: {
        idempotencyKey: command.idempotencyKey,
        version: (latest?.version ?? 0) + 1,
        effectiveFrom: command.effectiveFrom,
        terms: command.terms,
        changedAt: context.now,
        actor: command.actor,
      },
    },
  ];
}
