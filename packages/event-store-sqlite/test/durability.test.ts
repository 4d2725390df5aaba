import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { verifyStreamChain } from '@timebank/event-store';
import { newEvent } from '@timebank/event-store/contract';
import { createSqliteEventStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'timebank-sqlite-durability-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

t.test('synchronous=FULL holds on every open, including a reopened WAL database', async (t) => {
  const path = join(directory, 'reopen.db');
  const first = createSqliteEventStore({ path });
  t.same(
    first.connectionSettings(),
    { journalMode: 'wal', synchronous: 2, walAutocheckpointPages: 10_000, pageCacheKib: 16_000 },
    "a new database: WAL, FULL, checkpoints every 10,000 pages, better-sqlite3's 16,000 KiB page cache",
  );
  await first.appendToStream('s-1', [newEvent(0)], { expectedRevision: 'no_stream' });
  await first.close();

  // Why the adapter must set it itself: a plain connection to an existing WAL database runs at
  // better-sqlite3's compiled-in WAL default, which is NORMAL (1) and may lose the last commits.
  const plain = new Database(path);
  t.equal(plain.pragma('journal_mode', { simple: true }), 'wal', 'WAL mode persists in the file');
  t.not(plain.pragma('synchronous', { simple: true }), 2, 'synchronous does not persist in the file');
  plain.close();

  for (let open = 0; open < 2; open += 1) {
    const reopened = createSqliteEventStore({
      path,
      walAutocheckpointPages: 500 + open,
      pageCacheKib: 1024 * (open + 1),
    });
    t.same(
      reopened.connectionSettings(),
      {
        journalMode: 'wal',
        synchronous: 2,
        walAutocheckpointPages: 500 + open,
        pageCacheKib: 1024 * (open + 1),
      },
      `reopen ${open + 1}: WAL, FULL, the configured checkpoint size and page cache`,
    );
    await reopened.appendToStream('s-1', [newEvent(open + 1)], { expectedRevision: BigInt(open) });
    await reopened.close();
  }

  const last = createSqliteEventStore({ path });
  const events = await last.readStream('s-1');
  t.same(
    events.map((stored) => stored.data.n),
    [0, 1, 2],
    'every acknowledged append survived the reopens',
  );
  t.equal(verifyStreamChain('s-1', events).ok, true, 'the chain continues across reopens');
  await last.close();
});

t.test('commits checkpoint the WAL once it holds walAutocheckpointPages pages', async (t) => {
  const path = join(directory, 'checkpoint.db');
  const store = createSqliteEventStore({ path, walAutocheckpointPages: 20 });
  let expectedRevision: bigint | 'no_stream' = 'no_stream';
  // Sequential appends: one commit each, a few pages each, about 400 pages in all.
  for (let n = 0; n < 100; n += 1) {
    expectedRevision = (await store.appendToStream('s-1', [newEvent(n)], { expectedRevision }))
      .nextExpectedRevision;
  }
  const walBytes = statSync(`${path}-wal`).size;
  // A WAL frame is a page plus a 24-byte header. Checkpointed WAL is reused from its start, so
  // the file stays near the threshold plus one commit instead of growing with every commit.
  t.ok(walBytes <= 40 * (4096 + 24), `the WAL stayed at ${walBytes} bytes`);
  t.equal((await store.readStream('s-1')).length, 100, 'every append is readable');
  await store.close();
});

t.test('a page cache that is not a whole number of KiB is refused before the file is opened', async (t) => {
  for (const pageCacheKib of [-1, 1.5, Number.NaN]) {
    const path = join(directory, `bad-cache-${String(pageCacheKib)}.db`);
    t.throws(
      () => createSqliteEventStore({ path, pageCacheKib }),
      /SQLite option pageCacheKib must be a non-negative integer/,
      `pageCacheKib ${pageCacheKib}`,
    );
    t.notOk(existsSync(path), 'no file was created');
  }
});

t.test('a database from a newer schema version is refused at open', async (t) => {
  const path = join(directory, 'future.db');
  const future = new Database(path);
  future.pragma('user_version = 99');
  future.close();
  t.throws(() => createSqliteEventStore({ path }), /schema version 99/);
});

t.test('a closed store refuses work; close waits for queued appends', async (t) => {
  const store = createSqliteEventStore({ path: join(directory, 'close.db') });
  const pending = store.appendToStream('s-1', [newEvent(0)], { expectedRevision: 'no_stream' });
  await store.close();
  t.same(
    await pending,
    { nextExpectedRevision: 0n, position: 1n },
    'the queued append committed before close',
  );
  await t.rejects(store.readAll(), /closed/);
  await t.rejects(store.appendToStream('s-1', [newEvent(1)], { expectedRevision: 0n }), /closing/);
});
