import t from 'tap';
import { UnavailableError } from '@eventstore/db-client';
import { EventStoreError } from '@timebank/event-store';
import { StoreUnavailableError, isTransientEsdbError } from '../src/esdb-errors.js';
import { DEFAULT_RETRY_POLICY, assertValidRetryPolicy, backoffMs, withRetry } from '../src/retry.js';
import type { RetryEnvironment } from '../src/retry.js';

/** A clock that records every requested sleep and returns at once. */
function fakeClock(random = 0.5): RetryEnvironment & { readonly slept: number[] } {
  const slept: number[] = [];
  return {
    policy: DEFAULT_RETRY_POLICY,
    slept,
    random: () => random,
    sleep: async (durationMs) => {
      slept.push(durationMs);
    },
  };
}

t.test('backoff doubles from the initial delay up to the ceiling, jittered in its upper half', async (t) => {
  const policy = { attemptsMax: 10, backoffInitialMs: 100, backoffMaxMs: 1000 };
  t.same(
    [1, 2, 3, 4, 5, 6].map((retry) => backoffMs(policy, retry, () => 0)),
    [50, 100, 200, 400, 500, 500],
  );
  t.same(
    [1, 2, 3, 4, 5, 6].map((retry) => backoffMs(policy, retry, () => 0.999999)),
    [100, 200, 400, 800, 1000, 1000],
  );
  t.equal(
    backoffMs(policy, 1000, () => 0.5),
    750,
    'huge retry counts stay at the ceiling',
  );
});

t.test('transient failures are retried with the scheduled delays, then succeed', async (t) => {
  const clock = fakeClock();
  let calls = 0;
  const result = await withRetry('append', clock, isTransientEsdbError, async (attempt) => {
    calls += 1;
    t.equal(attempt, calls);
    if (calls < 4) throw new UnavailableError(undefined, 'node down');
    return 'stored';
  });
  t.equal(result, 'stored');
  t.same(clock.slept, [38, 75, 150]);
});

t.test('after attemptsMax transient failures the store reports STORE_UNAVAILABLE', async (t) => {
  const clock = fakeClock();
  const cause = new UnavailableError(undefined, 'node down');
  let calls = 0;
  const error = await withRetry('append to s-1', clock, isTransientEsdbError, async () => {
    calls += 1;
    throw cause;
  }).catch((caught: unknown) => caught);
  t.equal(calls, DEFAULT_RETRY_POLICY.attemptsMax);
  t.equal(clock.slept.length, DEFAULT_RETRY_POLICY.attemptsMax - 1, 'no sleep after the last try');
  t.ok(error instanceof StoreUnavailableError);
  t.ok(error instanceof EventStoreError);
  t.match(error, {
    code: 'STORE_UNAVAILABLE',
    message: /append to s-1 failed 6 times; last error: node down/,
  });
  t.equal((error as StoreUnavailableError).cause, cause);
});

t.test('a non-transient error is rethrown at once without sleeping', async (t) => {
  const clock = fakeClock();
  const bug = new TypeError('bug');
  const error = await withRetry('read', clock, isTransientEsdbError, async () => {
    throw bug;
  }).catch((caught: unknown) => caught);
  t.equal(error, bug);
  t.same(clock.slept, []);
});

t.test('a nonsensical policy fails at start-up', async (t) => {
  t.throws(
    () => assertValidRetryPolicy({ attemptsMax: 0, backoffInitialMs: 1, backoffMaxMs: 2 }),
    /attemptsMax/,
  );
  t.throws(() => assertValidRetryPolicy({ attemptsMax: 3, backoffInitialMs: 5, backoffMaxMs: 2 }), /backoff/);
  t.doesNotThrow(() => assertValidRetryPolicy(DEFAULT_RETRY_POLICY));
});
