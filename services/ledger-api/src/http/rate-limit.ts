/**
 * Rate limiting: a fixed window per key that opens at the key's first request, counting every
 * request in it; past `max`, requests answer `429 RATE_LIMITED` until the window ends. Answers
 * carry `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (seconds until the
 * window ends), and a refusal also `retry-after`: what @fastify/rate-limit did before (its
 * in-memory store), now one synchronous map look-up per request instead of four promises and an
 * LRU move (issue #15). The access hook calls `check` after authentication, so that requests are
 * counted per API key (the key's id, never the key) and per client address without a key.
 *
 * A route opts out with `config.rateLimit: false` (probes, metrics) or sets its own budget and key
 * with `config.rateLimit: { max, timeWindow, keyGenerator }` (certificate verification, per address).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from './problem.js';

export interface RateLimitOptions {
  readonly max: number;
  /** Milliseconds. */
  readonly timeWindow: number;
  /** The counter a request counts against; default: the limiter's own. */
  readonly keyGenerator?: (request: FastifyRequest) => string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimit?: RateLimitOptions | false;
  }
}

/** Counters kept per limiter: the least recently opened window is forgotten past this. */
const KEYS_MAX = 5000;
/** Windows up to this many seconds have their `x-ratelimit-reset` values written out once. */
const RESET_TEXTS_MAX_SECONDS = 3600;

interface Window {
  count: number;
  startMs: number;
}

export class RateLimiter {
  readonly #max: number;
  readonly #maxText: string;
  readonly #windowMs: number;
  readonly #keyOf: (request: FastifyRequest) => string;
  /** Windows in the order they opened (a reopened window moves to the end), so the first is the oldest. */
  readonly #windows = new Map<string, Window>();
  readonly #now: () => number;
  /** `String(n)` for every reset a window can show (0 to its length in seconds), if it is not long. */
  readonly #resetTexts: readonly string[];

  constructor(
    options: RateLimitOptions & { readonly now?: () => number },
    keyOf: (request: FastifyRequest) => string,
  ) {
    if (!Number.isInteger(options.max) || options.max < 0)
      throw new RangeError('max must be a whole number ≥ 0');
    if (!Number.isFinite(options.timeWindow) || options.timeWindow < 0)
      throw new RangeError('timeWindow must be a number of milliseconds ≥ 0');
    this.#max = options.max;
    this.#maxText = String(options.max);
    this.#windowMs = Math.trunc(options.timeWindow);
    this.#keyOf = options.keyGenerator ?? keyOf;
    this.#now = options.now ?? Date.now;
    const windowSeconds = Math.ceil(this.#windowMs / 1000);
    this.#resetTexts =
      windowSeconds <= RESET_TEXTS_MAX_SECONDS
        ? Array.from({ length: windowSeconds + 1 }, (_, seconds) => String(seconds))
        : [];
  }

  /** Counts the request, sets its headers, and throws `RATE_LIMITED` past the budget. */
  check(request: FastifyRequest, reply: FastifyReply): void {
    const key = this.#keyOf(request);
    const nowMs = this.#now();
    let window = this.#windows.get(key);
    if (window === undefined || window.startMs + this.#windowMs <= nowMs) {
      if (window === undefined) {
        window = { count: 1, startMs: nowMs };
        if (this.#windows.size >= KEYS_MAX) this.#forgetOldest(nowMs);
      } else {
        window.count = 1;
        window.startMs = nowMs;
        this.#windows.delete(key);
      }
      this.#windows.set(key, window);
    } else {
      window.count += 1;
    }
    // Header values as strings: node's header check then always sees one type (issue #15).
    const seconds = Math.ceil((this.#windowMs - (nowMs - window.startMs)) / 1000);
    // A string made once per value rather than per request (issue #15).
    const resetSeconds = this.#resetTexts[seconds] ?? String(seconds);
    reply.header('x-ratelimit-limit', this.#maxText);
    if (window.count <= this.#max) {
      reply.header('x-ratelimit-remaining', String(this.#max - window.count));
      reply.header('x-ratelimit-reset', resetSeconds);
      return;
    }
    reply.header('x-ratelimit-remaining', '0');
    reply.header('x-ratelimit-reset', resetSeconds);
    reply.header('retry-after', resetSeconds);
    throw ProblemError.http('RATE_LIMITED', 'too many requests from this API key or address; slow down');
  }

  /** Drops ended windows from the front, and the oldest open one if none had ended. */
  #forgetOldest(nowMs: number): void {
    for (const [key, window] of this.#windows) {
      if (window.startMs + this.#windowMs > nowMs) {
        if (this.#windows.size >= KEYS_MAX) this.#windows.delete(key);
        return;
      }
      this.#windows.delete(key);
    }
  }
}
