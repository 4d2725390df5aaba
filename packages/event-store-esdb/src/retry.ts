/**
 * Bounded retries with exponential backoff for transient EventStoreDB errors. The clock and the
 * randomness are injected so that tests can check the exact schedule without waiting.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { StoreUnavailableError } from './esdb-errors.js';

export interface RetryPolicy {
  /** Tries in total, the first included. Default 6: with the delays below, about 3 s of outage. */
  readonly attemptsMax: number;
  /** Delay before the first retry, in ms. Default 50: a leader election usually settles within 100s of ms. */
  readonly backoffInitialMs: number;
  /** Ceiling of one delay, in ms. Default 2,000, so a caller is never parked long on one try. */
  readonly backoffMaxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  attemptsMax: 6,
  backoffInitialMs: 50,
  backoffMaxMs: 2000,
});

export interface RetryEnvironment {
  readonly policy: RetryPolicy;
  /** Waits this many ms; `node:timers/promises` in production, a recorder in tests. */
  readonly sleep: (durationMs: number) => Promise<void>;
  /** A number in [0, 1); `Math.random` in production. */
  readonly random: () => number;
}

export const SYSTEM_RETRY_ENVIRONMENT: RetryEnvironment = Object.freeze({
  policy: DEFAULT_RETRY_POLICY,
  sleep: (durationMs: number) => delay(durationMs),
  random: Math.random,
});

export function assertValidRetryPolicy(policy: RetryPolicy): void {
  if (!Number.isInteger(policy.attemptsMax) || policy.attemptsMax < 1) {
    throw new Error(`retry attemptsMax must be a positive integer, got ${policy.attemptsMax}`);
  }
  if (!(policy.backoffInitialMs >= 0) || !(policy.backoffMaxMs >= policy.backoffInitialMs)) {
    throw new Error('retry backoff must satisfy 0 <= backoffInitialMs <= backoffMaxMs');
  }
}

/**
 * Delay before retry number `retry` (1-based): the exponential step capped at the ceiling, of
 * which the upper half is random ("equal jitter") so that clients that failed together do not
 * all come back at the same instant, while none retries sooner than half the step.
 */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const exponent = Math.min(retry - 1, 30);
  const step = Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** exponent);
  return Math.round(step / 2 + (step / 2) * random());
}

/**
 * Runs `operation` until it succeeds, fails with a non-transient error (rethrown as is), or has
 * failed transiently `attemptsMax` times (then `StoreUnavailableError` with the last cause).
 */
export async function withRetry<T>(
  what: string,
  environment: RetryEnvironment,
  isTransient: (error: unknown) => boolean,
  operation: (attempt: number) => Promise<T>,
): Promise<T> {
  const { policy } = environment;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (attempt >= policy.attemptsMax) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new StoreUnavailableError(`${what} failed ${attempt} times; last error: ${reason}`, error);
      }
      await environment.sleep(backoffMs(policy, attempt, environment.random));
    }
  }
}
