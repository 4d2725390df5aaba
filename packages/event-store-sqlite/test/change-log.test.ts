import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { isWrongExpectedVersion } from '@timebank/event-store';
import { newEvent } from '@timebank/event-store/contract';
import { createSqliteEventStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'timebank-sqlite-changes-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

t.test('streamChangesSince lists this connection’s committed appends in commit order', async (t) => {
  const store = createSqliteEventStore({ path: join(directory, 'local.db') });
  t.teardown(() => store.close());
  const first = store.streamChangesSince(null);
  t.equal(first.changes, 'unknown', 'without a token anything may have changed');
  await store.appendToStream('a', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
  await Promise.all([
    store.appendToStream('b', [newEvent(3)], { expectedRevision: 'no_stream' }),
    store.appendToStream('a', [newEvent(4)], { expectedRevision: 1n }),
    store.appendToStream('a', [newEvent(5)], { expectedRevision: 0n }).catch((error: unknown) => {
      t.ok(isWrongExpectedVersion(error), 'the stale append is refused');
    }),
  ]);
  const second = store.streamChangesSince(first.token);
  t.same(second.changes, [
    { streamName: 'a', revision: 1n },
    { streamName: 'b', revision: 0n },
    { streamName: 'a', revision: 2n },
  ]);
  t.same(store.streamChangesSince(second.token).changes, [], 'nothing since: an empty list');
});

t.test('a commit by another connection makes the answer unknown, once', async (t) => {
  const path = join(directory, 'shared.db');
  const store = createSqliteEventStore({ path });
  const other = createSqliteEventStore({ path });
  t.teardown(async () => {
    await other.close();
    await store.close();
  });
  await store.appendToStream('mine', [newEvent(1)], { expectedRevision: 'no_stream' });
  const before = store.streamChangesSince(null).token;
  await other.appendToStream('theirs', [newEvent(2)], { expectedRevision: 'no_stream' });
  const after = store.streamChangesSince(before);
  t.equal(after.changes, 'unknown', 'the other connection’s streams are not known here');
  t.same(store.streamChangesSince(after.token).changes, [], 'from the new token on, nothing changed');
});

t.test('a reader further behind than the log keeps gets unknown', async (t) => {
  const store = createSqliteEventStore({ path: join(directory, 'bounded.db'), changeLogEntriesMax: 3 });
  t.teardown(() => store.close());
  await store.appendToStream('s', [newEvent(0)], { expectedRevision: 'no_stream' });
  const token = store.streamChangesSince(null).token;
  for (let revision = 0n; revision < 3n; revision += 1n) {
    await store.appendToStream('s', [newEvent(1)], { expectedRevision: revision });
  }
  t.equal(store.streamChangesSince(token).changes.length, 3, 'exactly the bound is still known');
  await store.appendToStream('s', [newEvent(2)], { expectedRevision: 3n });
  t.equal(store.streamChangesSince(token).changes, 'unknown');
  t.throws(
    () => createSqliteEventStore({ path: join(directory, 'x.db'), changeLogEntriesMax: 0 }),
    RangeError,
  );
});
