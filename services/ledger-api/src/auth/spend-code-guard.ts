/**
 * Bounds guessing of spend codes: wrong codes are counted per partner and volunteer (or per
 * partner alone when the partner sent a code without a volunteer id), and after
 * `failuresMax` wrong codes within `windowSeconds` the pair is refused for `lockoutSeconds`.
 * The counts live in this process's memory: a restart forgives them, and each API process
 * counts for itself (docs/domain.md shows the guessing odds hold with either).
 */
import { ProblemError } from '../http/problem.js';

export interface SpendCodeGuardLimits {
  /** Wrong codes that start a lockout. Default 5 (issue #18's brief). */
  readonly failuresMax: number;
  /** Window the wrong codes are counted in, in seconds. Default 600. */
  readonly windowSeconds: number;
  /** How long a locked-out pair is refused, in seconds. Default 900. */
  readonly lockoutSeconds: number;
  /**
   * Pairs remembered at once; the oldest is forgotten beyond it. Default 100,000: about 10 MB,
   * far more partner/volunteer pairs than guess at once in a city's ledger.
   */
  readonly entriesMax: number;
}

export const DEFAULT_SPEND_CODE_GUARD_LIMITS: SpendCodeGuardLimits = Object.freeze({
  failuresMax: 5,
  windowSeconds: 600,
  lockoutSeconds: 900,
  entriesMax: 100_000,
});

interface Entry {
  failuresAtMs: number[];
  lockedUntilMs: number;
}

export interface SpendCodeGuard {
  /** Throws 429 `SPEND_CODE_LOCKED_OUT` while the pair is locked out. */
  assertNotLockedOut(partnerId: string, volunteerId: string | undefined): void;
  /** Counts one wrong code; the failure that reaches the limit starts the lockout. */
  recordFailure(partnerId: string, volunteerId: string | undefined): void;
}

export function createSpendCodeGuard(
  clock: () => number,
  limits: SpendCodeGuardLimits = DEFAULT_SPEND_CODE_GUARD_LIMITS,
): SpendCodeGuard {
  const entries = new Map<string, Entry>();
  const keyOf = (partnerId: string, volunteerId: string | undefined): string =>
    `${partnerId}\u0000${volunteerId ?? '*'}`;

  return {
    assertNotLockedOut(partnerId, volunteerId) {
      const entry = entries.get(keyOf(partnerId, volunteerId));
      const nowMs = clock();
      if (entry === undefined || entry.lockedUntilMs <= nowMs) return;
      const retryAfterSeconds = Math.ceil((entry.lockedUntilMs - nowMs) / 1000);
      throw ProblemError.http(
        'SPEND_CODE_LOCKED_OUT',
        `too many wrong spend codes; try again in ${retryAfterSeconds} s`,
      );
    },
    recordFailure(partnerId, volunteerId) {
      const key = keyOf(partnerId, volunteerId);
      const nowMs = clock();
      const entry = entries.get(key) ?? { failuresAtMs: [], lockedUntilMs: 0 };
      entries.delete(key);
      entry.failuresAtMs = entry.failuresAtMs.filter((atMs) => atMs > nowMs - limits.windowSeconds * 1000);
      entry.failuresAtMs.push(nowMs);
      if (entry.failuresAtMs.length >= limits.failuresMax) {
        entry.lockedUntilMs = nowMs + limits.lockoutSeconds * 1000;
        entry.failuresAtMs = [];
      }
      // Re-inserted last, so the first key is always the least recently failed.
      entries.set(key, entry);
      if (entries.size > limits.entriesMax) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
    },
  };
}
