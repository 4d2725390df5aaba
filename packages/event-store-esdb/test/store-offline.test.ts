/**
 * The adapter with the real client but no server: proves that bad input is rejected before any
 * I/O, and that an unreachable server ends in STORE_UNAVAILABLE after the bounded retries.
 * Port 1 on the loopback interface refuses connections at once, so nothing here waits on a
 * network timeout.
 */
import t from 'tap';
import { DEFAULT_STORE_LIMITS } from '@timebank/event-store';
import type { EventStore, NewEvent } from '@timebank/event-store';
import { createEsdbEventStore } from '../src/index.js';
import type { RetryEnvironment } from '../src/index.js';

const UNREACHABLE = 'esdb://127.0.0.1:1?tls=false';

function offlineStore(): { store: EventStore; slept: number[] } {
  const slept: number[] = [];
  const retry: RetryEnvironment = {
    policy: { attemptsMax: 3, backoffInitialMs: 10, backoffMaxMs: 20 },
    random: () => 0,
    sleep: async (durationMs) => {
      slept.push(durationMs);
    },
  };
  return { store: createEsdbEventStore({ connectionString: UNREACHABLE, retry }), slept };
}

const event: NewEvent = {
  id: '00000000-0000-4000-8000-000000000001',
  type: 'ThingHappened',
  data: { n: 1 },
  metadata: { schemaVersion: 1 },
};

t.test('invalid appends are rejected with coded errors before the server is contacted', async (t) => {
  const { store, slept } = offlineStore();
  t.teardown(() => store.close());
  await t.rejects(store.appendToStream('$system', [event], { expectedRevision: 'any' }), {
    code: 'INVALID_STREAM_NAME',
  });
  await t.rejects(store.appendToStream('volunteer-1', [], { expectedRevision: 'no_stream' }), {
    code: 'TOO_MANY_EVENTS',
  });
  const big = { ...event, data: { text: 'x'.repeat(DEFAULT_STORE_LIMITS.eventSizeBytesMax) } };
  await t.rejects(store.appendToStream('volunteer-1', [big], { expectedRevision: 'no_stream' }), {
    code: 'EVENT_TOO_LARGE',
  });
  await t.rejects(store.appendToStream('volunteer-1', [event, event], { expectedRevision: 'no_stream' }), {
    code: 'DUPLICATE_EVENT_ID',
  });
  const reserved = { ...event, metadata: { schemaVersion: 1, hash: 'x' } };
  await t.rejects(store.appendToStream('volunteer-1', [reserved], { expectedRevision: 'no_stream' }), {
    code: 'INVALID_EVENT',
  });
  await t.rejects(store.readStream('bad name'), { code: 'INVALID_STREAM_NAME' });
  await t.rejects(store.readAll({ fromPosition: -1n }), { code: 'INVALID_EVENT' });
  t.same(slept, [], 'no request was even retried: nothing was sent');
});

t.test('an unreachable server gives STORE_UNAVAILABLE after the bounded retries', async (t) => {
  const { store, slept } = offlineStore();
  t.teardown(() => store.close());
  await t.rejects(store.appendToStream('volunteer-1', [event], { expectedRevision: 'no_stream' }), {
    code: 'STORE_UNAVAILABLE',
    message: /failed 3 times/,
  });
  t.same(slept, [5, 10], 'two backoff pauses between three tries');
  slept.length = 0;
  await t.rejects(store.readAll(), { code: 'STORE_UNAVAILABLE' });
  t.equal(slept.length, 2);
});

t.test('a closed store refuses work, and closing twice is harmless', async (t) => {
  const { store } = offlineStore();
  await store.close();
  await store.close();
  await t.rejects(store.readStream('volunteer-1'), /closed/);
});

t.test('an invalid namespace fails at construction, naming the problem', async (t) => {
  t.throws(
    () => createEsdbEventStore({ connectionString: UNREACHABLE, namespace: 'has space' }),
    /namespace/,
  );
});

t.test('a subscription outlives an unreachable server and ends cleanly on close', async (t) => {
  const pauses: number[] = [];
  const retry: RetryEnvironment = {
    policy: { attemptsMax: 2, backoffInitialMs: 10, backoffMaxMs: 20 },
    random: () => 0,
    // Real (short) waits so that the retry loop does not spin while the test watches it.
    sleep: (durationMs) =>
      new Promise((resolve) => {
        pauses.push(durationMs);
        setTimeout(resolve, durationMs);
      }),
  };
  const store = createEsdbEventStore({ connectionString: UNREACHABLE, retry });
  t.teardown(() => store.close());
  const subscription = store.subscribeToAll();
  const iterator = subscription[Symbol.asyncIterator]();
  const next = iterator.next();
  while (pauses.length < 6) await new Promise((resolve) => setTimeout(resolve, 10));
  await subscription.close();
  t.same(await next, { done: true, value: undefined }, 'the pending pull ends instead of failing');
  t.ok(pauses.length >= 6, 'it kept retrying the catch-up read instead of giving up');
});
