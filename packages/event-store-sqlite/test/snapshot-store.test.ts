/**
 * The SQLite snapshot file's page size: 16 KiB, so that a long volunteer's ~170 KB snapshot is a
 * few overflow pages instead of 43. A new file gets it; a file of an older release (4 KiB pages,
 * holding snapshots of an older format that would be discarded anyway) is emptied and converted
 * once; a file already converted keeps its snapshots across reopening.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { createSqliteSnapshotStore } from '../src/index.js';

function temporaryPath(t: Test): string {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-snapshot-store-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return join(directory, 'snapshots.sqlite');
}

const pageSizeOf = (path: string): number => {
  const db = new Database(path, { readonly: true });
  try {
    return Number(db.pragma('page_size', { simple: true }));
  } finally {
    db.close();
  }
};

const snapshot = (streamName: string, bytes: number) => ({
  streamName,
  revision: 250n,
  eventHash: 'a'.repeat(64),
  foldVersion: 'b'.repeat(64),
  payload: Buffer.alloc(bytes, 7),
});

t.test('a new file has 16 KiB pages and keeps its snapshots when reopened', async (t) => {
  const path = temporaryPath(t);
  const store = createSqliteSnapshotStore({ path });
  await store.writeSnapshots([snapshot('volunteer-a', 170_000), snapshot('volunteer-b', 300)]);
  await store.close();
  t.equal(pageSizeOf(path), 16_384);
  const reopened = createSqliteSnapshotStore({ path });
  const read = await reopened.readSnapshot('volunteer-a');
  t.equal(read?.payload.length, 170_000, 'the long snapshot is still there');
  t.same(read?.payload, Buffer.alloc(170_000, 7));
  t.equal(read?.revision, 250n);
  t.equal((await reopened.readSnapshot('volunteer-b'))?.payload.length, 300);
  await reopened.close();
  t.equal(pageSizeOf(path), 16_384, 'still 16 KiB');
});

t.test("an older release's file with 4 KiB pages is emptied and converted once", async (t) => {
  const path = temporaryPath(t);
  const old = new Database(path);
  old.pragma('page_size = 4096');
  old.pragma('journal_mode = WAL');
  old.exec(
    'CREATE TABLE snapshots (stream_name TEXT PRIMARY KEY, revision INTEGER NOT NULL CHECK (revision >= 0), event_hash TEXT NOT NULL, fold_version TEXT NOT NULL, payload BLOB NOT NULL) STRICT, WITHOUT ROWID',
  );
  old
    .prepare('INSERT INTO snapshots VALUES (?, ?, ?, ?, ?)')
    .run('volunteer-old', 300, 'c'.repeat(64), 'format-1', Buffer.alloc(50_000, 1));
  old.close();
  t.equal(pageSizeOf(path), 4096);

  const store = createSqliteSnapshotStore({ path });
  t.equal(await store.readSnapshot('volunteer-old'), undefined, "the old format's snapshot is gone");
  await store.writeSnapshots([snapshot('volunteer-new', 170_000)]);
  await store.close();
  t.equal(pageSizeOf(path), 16_384, 'converted');
  const reopened = createSqliteSnapshotStore({ path });
  t.equal((await reopened.readSnapshot('volunteer-new'))?.payload.length, 170_000, 'new ones are kept');
  await reopened.close();
});
