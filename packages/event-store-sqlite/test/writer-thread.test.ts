/**
 * The store with its writer thread (`writerThread: true`): the whole port contract, the change
 * log that vouches for cached state (including another connection's commits), typed rejections
 * across the thread boundary, and close() ending the thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { isIdempotencyKeyClaimed, isWrongExpectedVersion } from '@timebank/event-store';
import { newEvent, runEventStoreContract } from '@timebank/event-store/contract';
import { createSqliteEventStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'timebank-sqlite-writer-thread-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));
let stores = 0;

runEventStoreContract(t, {
  name: 'sqlite with a writer thread',
  create: async () => {
    stores += 1;
    return createSqliteEventStore({ path: join(directory, `store-${stores}.db`), writerThread: true });
  },
});

t.test('the change log lists the writer thread’s commits and notices another connection’s', async (t) => {
  const path = join(directory, 'changes.db');
  const store = createSqliteEventStore({ path, writerThread: true });
  const other = createSqliteEventStore({ path });
  t.teardown(async () => {
    await other.close();
    await store.close();
  });
  await store.appendToStream('warm', [newEvent(1)], { expectedRevision: 'no_stream' });
  const first = store.streamChangesSince(null);
  t.equal(first.changes, 'unknown', 'without a token anything may have changed');
  await Promise.all([
    store.appendToStream('a', [newEvent(2), newEvent(3)], { expectedRevision: 'no_stream' }),
    store.appendToStream('b', [newEvent(4)], { expectedRevision: 'no_stream' }),
    store.appendToStream('warm', [newEvent(5)], { expectedRevision: 5n }).catch((error: unknown) => {
      t.ok(isWrongExpectedVersion(error), 'the stale append is refused with the typed error');
    }),
  ]);
  const second = store.streamChangesSince(first.token);
  t.same(second.changes, [
    { streamName: 'a', revision: 1n },
    { streamName: 'b', revision: 0n },
  ]);
  const third = store.streamChangesSince(second.token);
  t.same(
    third.changes,
    [],
    'nothing since: an empty list, with the writer’s commits not mistaken for foreign ones',
  );
  await other.appendToStream('theirs', [newEvent(6)], { expectedRevision: 'no_stream' });
  const fourth = store.streamChangesSince(third.token);
  t.equal(fourth.changes, 'unknown', 'another connection’s commit is noticed between batches');
  t.same(store.streamChangesSince(fourth.token).changes, [], 'from the new token on, nothing changed');
  // The next batch's writer sees the foreign commit too, and still appends at the right revision.
  const read = await store.readStream('theirs');
  t.equal(read.length, 1, 'this connection reads the other’s event');
  const appended = await store.appendToStream('theirs', [newEvent(7)], { expectedRevision: 0n });
  t.equal(appended.nextExpectedRevision, 1n);
});

t.test('a claimed idempotency key crosses the thread as the typed error', async (t) => {
  const store = createSqliteEventStore({ path: join(directory, 'claims.db'), writerThread: true });
  t.teardown(() => store.close());
  const claim = { keyHash: 'a'.repeat(64), requestHash: 'b'.repeat(64) };
  await store.appendToStream('s1', [newEvent(11)], {
    expectedRevision: 'no_stream',
    idempotencyClaim: claim,
  });
  const reuse = await store
    .appendToStream('s2', [newEvent(12)], {
      expectedRevision: 'no_stream',
      idempotencyClaim: { ...claim, requestHash: 'c'.repeat(64) },
    })
    .catch((error: unknown) => error);
  t.ok(isIdempotencyKeyClaimed(reuse), 'IdempotencyKeyClaimedError');
  t.match(reuse, { sameRequest: false, claim: { streamName: 's1' } });
});

t.test('close() waits for queued appends, then ends the thread', async (t) => {
  const store = createSqliteEventStore({ path: join(directory, 'close.db'), writerThread: true });
  const appends = Array.from({ length: 50 }, (_, index) =>
    store.appendToStream(`c-${index}`, [newEvent(100 + index)], { expectedRevision: 'no_stream' }),
  );
  await store.close();
  const results = await Promise.allSettled(appends);
  t.ok(
    results.every((result) => result.status === 'fulfilled'),
    'every append queued before close() committed',
  );
  const reopened = createSqliteEventStore({ path: join(directory, 'close.db') });
  t.equal(await reopened.headPosition(), 50n, 'all 50 are on disk');
  await reopened.close();
});
