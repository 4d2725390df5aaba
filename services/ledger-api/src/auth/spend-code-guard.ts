/**
 * Bounds guessing of spend codes: wrong codes are counted per partner and volunteer (or per
 * partner alone when the partner sent a code without a volunteer id), and after
 * `failuresMax` wrong codes within `windowSeconds` the pair is refused for `lockoutSeconds`.
 * They are also counted per source address, whatever key or volunteer they name: after
 * `addressFailuresMax` wrong codes from one address within the window, that address is refused
 * for `lockoutSeconds` too, so that many partner keys used from one machine gain nothing.
 * The counts live in this process's memory: a restart forgives them, and each API process
 * counts for itself (docs/domain.md shows the guessing odds hold with either).
 */
import { ProblemError } from '../http/problem.js';

export interface SpendCodeGuardLimits {
  /** Wrong codes that start a lockout. Default 5. */
  readonly failuresMax: number;
  /** Window the wrong codes are counted in, in seconds. Default 600. */
  readonly windowSeconds: number;
  /** How long a locked-out pair is refused, in seconds. Default 900. */
  readonly lockoutSeconds: number;
  /**
   * Wrong codes from one source address (any key, any volunteer) that start a lockout of the
   * address. Default 20: four partner keys' worth, since a shared shop or canteen network may
   * carry several partners' tills behind one address.
   */
  readonly addressFailuresMax: number;
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
  addressFailuresMax: 20,
  entriesMax: 100_000,
});

interface Entry {
  failuresAtMs: number[];
  lockedUntilMs: number;
}

/** Who tried a code: the partner, the volunteer the body named (if any) and the source address. */
export interface SpendCodeAttempt {
  readonly partnerId: string;
  readonly volunteerId: string | undefined;
  /** The request's source address (fastify's `request.ip`, which honours `trustProxy`). */
  readonly sourceAddress: string;
}

export interface SpendCodeGuard {
  /** Throws 429 `SPEND_CODE_LOCKED_OUT` while the pair or the source address is locked out. */
  assertNotLockedOut(attempt: SpendCodeAttempt): void;
  /** Counts one wrong code for the pair and the address; the failure that reaches a limit starts its lockout. */
  recordFailure(attempt: SpendCodeAttempt): void;
}

export function createSpendCodeGuard(
  clock: () => number,
  limits: SpendCodeGuardLimits = DEFAULT_SPEND_CODE_GUARD_LIMITS,
): SpendCodeGuard {
  const entries = new Map<string, Entry>();
  // Pair keys start with the partner id, address keys with a NUL: the two never collide.
  const keysOf = (attempt: SpendCodeAttempt): [string, number][] => [
    [`${attempt.partnerId}\u0000${attempt.volunteerId ?? '*'}`, limits.failuresMax],
    [`\u0000address\u0000${attempt.sourceAddress}`, limits.addressFailuresMax],
  ];

  function count(key: string, failuresMax: number, nowMs: number): void {
    const entry = entries.get(key) ?? { failuresAtMs: [], lockedUntilMs: 0 };
    entries.delete(key);
    entry.failuresAtMs = entry.failuresAtMs.filter((atMs) => atMs > nowMs - limits.windowSeconds * 1000);
    entry.failuresAtMs.push(nowMs);
    if (entry.failuresAtMs.length >= failuresMax) {
      entry.lockedUntilMs = nowMs + limits.lockoutSeconds * 1000;
      entry.failuresAtMs = [];
    }
    // Re-inserted last, so the first key is always the least recently failed.
    entries.set(key, entry);
    if (entries.size > limits.entriesMax) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
  }

  return {
    assertNotLockedOut(attempt) {
      const nowMs = clock();
      const lockedUntilMs = Math.max(
        0,
        ...keysOf(attempt).map(([key]) => entries.get(key)?.lockedUntilMs ?? 0),
      );
      if (lockedUntilMs <= nowMs) return;
      const retryAfterSeconds = Math.ceil((lockedUntilMs - nowMs) / 1000);
      throw ProblemError.http(
        'SPEND_CODE_LOCKED_OUT',
        `too many wrong spend codes; try again in ${retryAfterSeconds} s`,
      );
    },
    recordFailure(attempt) {
      const nowMs = clock();
      for (const [key, failuresMax] of keysOf(attempt)) count(key, failuresMax, nowMs);
    },
  };
}
