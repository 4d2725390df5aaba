import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { isWrongExpectedVersion, verifyStreamChain } from '@timebank/event-store';
import { newEvent } from '@timebank/event-store/contract';
import { createSqliteEventStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'timebank-sqlite-heads-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

t.test('a head evicted from the bounded cache still guards and chains the next append', async (t) => {
  // Two heads cached at most: every third stream written pushes the first one out.
  const store = createSqliteEventStore({ path: join(directory, 'evicted.db'), headCacheStreamsMax: 2 });
  t.teardown(() => store.close());
  const streams = ['head-a', 'head-b', 'head-c', 'head-d'];
  for (const stream of streams)
    await store.appendToStream(stream, [newEvent(0)], { expectedRevision: 'no_stream' });

  // head-a was evicted long ago: a stale expectation is still refused, the right one accepted.
  const stale = await store
    .appendToStream('head-a', [newEvent(1)], { expectedRevision: 'no_stream' })
    .catch((error: unknown) => error);
  t.ok(isWrongExpectedVersion(stale), 'no_stream on an existing, evicted stream conflicts');
  const wrong = await store
    .appendToStream('head-a', [newEvent(1)], { expectedRevision: 5n })
    .catch((error: unknown) => error);
  t.ok(isWrongExpectedVersion(wrong), 'a revision ahead of the stored head conflicts');
  const appended = await store.appendToStream('head-a', [newEvent(1)], { expectedRevision: 0n });
  t.equal(appended.nextExpectedRevision, 1n, 'the stored head is read back after eviction');

  // Many concurrent appends across more streams than the bound, in shared transactions.
  await Promise.all(
    streams.map(async (stream) => {
      let expected = stream === 'head-a' ? 1n : 0n;
      for (let round = 0; round < 20; round += 1) {
        const result = await store.appendToStream(stream, [newEvent(round + 2)], {
          expectedRevision: expected,
        });
        t.equal(result.nextExpectedRevision, expected + 1n, `${stream} moves one revision per append`);
        expected = result.nextExpectedRevision;
      }
    }),
  );
  for (const stream of streams) {
    const events = await store.readStream(stream);
    t.ok(verifyStreamChain(stream, events).ok, `${stream}: the hash chain holds across evictions`);
  }
});

t.test('a retried append on an evicted stream returns the original result', async (t) => {
  const store = createSqliteEventStore({ path: join(directory, 'retried.db'), headCacheStreamsMax: 1 });
  t.teardown(() => store.close());
  const event = newEvent(7);
  const first = await store.appendToStream('retry-a', [event], { expectedRevision: 'no_stream' });
  await store.appendToStream('retry-b', [newEvent(8)], { expectedRevision: 'no_stream' });
  const again = await store.appendToStream('retry-a', [event], { expectedRevision: 'no_stream' });
  t.same(again, first, 'same ids at the same expectation: the original result');
  t.equal((await store.readStream('retry-a')).length, 1, 'stored once');
});

t.test('a head cache of zero streams still appends correctly', async (t) => {
  const store = createSqliteEventStore({ path: join(directory, 'zero.db'), headCacheStreamsMax: 0 });
  t.teardown(() => store.close());
  let expected: bigint | 'no_stream' = 'no_stream';
  for (let round = 0; round < 5; round += 1) {
    const result = await store.appendToStream('zero', [newEvent(round), newEvent(round + 100)], {
      expectedRevision: expected,
    });
    expected = result.nextExpectedRevision;
  }
  t.equal(expected, 9n, 'five two-event appends');
  t.ok(verifyStreamChain('zero', await store.readStream('zero')).ok, 'chained');
  t.throws(
    () => createSqliteEventStore({ path: join(directory, 'bad.db'), headCacheStreamsMax: -1 }),
    RangeError,
    'a negative bound is refused before the file is opened',
  );
});
