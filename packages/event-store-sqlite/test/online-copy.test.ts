/**
 * copySqliteOnline under writes: a second connection commits after every step of the copy (the
 * progress callback runs between steps, so this is deterministic, not a race). SQLite restarts
 * the copy; the copy still ends, and it is one consistent snapshot: every transaction is either
 * wholly in it or wholly absent, and it is no older than the moment the copy started.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { copySqliteOnline } from '../src/index.js';

/** Rows per transaction: the invariant is count(rows) = ROWS_PER_BATCH × batches. */
const ROWS_PER_BATCH = 20;

function writer(path: string) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS batches (n INTEGER NOT NULL); CREATE TABLE IF NOT EXISTS rows (batch INTEGER, body TEXT)',
  );
  const insert = db.prepare('INSERT INTO rows VALUES (?, ?)');
  const batch = db.transaction(() => {
    db.prepare('INSERT INTO batches VALUES (1)').run();
    const n = (db.prepare('SELECT count(*) AS c FROM batches').get() as { c: number }).c;
    for (let row = 0; row < ROWS_PER_BATCH; row += 1) insert.run(n, 'x'.repeat(1000));
    return n;
  });
  return { db, batch };
}

t.test('a copy taken while another connection commits between its steps is one snapshot', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-online-copy-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const source = join(directory, 'source.sqlite');
  const destination = join(directory, 'copy.sqlite');
  const { db, batch } = writer(source);
  t.teardown(() => db.close());
  let batches = 0;
  for (let index = 0; index < 50; index += 1) batches = batch();
  const batchesAtStart = batches;

  let steps = 0;
  const copied = await copySqliteOnline({
    source,
    destination,
    pagesPerStep: 16,
    onProgress: () => {
      steps += 1;
      batches = batch();
    },
  });
  t.ok(steps >= 2, `the copy took several steps (${steps}), each followed by a commit`);
  t.ok(copied.restarts >= 1, `SQLite restarted the copy (${copied.restarts} times) and it still ended`);
  t.notOk(existsSync(`${destination}-wal`), 'the copy is one file');

  const copy = new Database(destination, { readonly: true });
  t.teardown(() => copy.close());
  t.equal(copy.pragma('integrity_check', { simple: true }), 'ok', 'the copy passes integrity_check');
  const inCopy = (copy.prepare('SELECT count(*) AS c FROM batches').get() as { c: number }).c;
  const rows = (copy.prepare('SELECT count(*) AS c FROM rows').get() as { c: number }).c;
  t.equal(rows, inCopy * ROWS_PER_BATCH, 'every transaction is whole in the copy');
  t.ok(inCopy >= batchesAtStart, `no older than the start (${inCopy} ≥ ${batchesAtStart} batches)`);
  t.ok(inCopy <= batches, `no newer than the source (${inCopy} ≤ ${batches})`);
});

t.test('a copy of an idle database equals it page for page', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-online-copy-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const source = join(directory, 'source.sqlite');
  const { db, batch } = writer(source);
  for (let index = 0; index < 10; index += 1) batch();
  db.close();
  const copied = await copySqliteOnline({ source, destination: join(directory, 'copy.sqlite') });
  t.equal(copied.restarts, 0, 'nobody wrote, so no restart');
  const copy = new Database(join(directory, 'copy.sqlite'), { readonly: true });
  t.teardown(() => copy.close());
  t.equal((copy.prepare('SELECT count(*) AS c FROM rows').get() as { c: number }).c, 10 * ROWS_PER_BATCH);
  t.equal(copied.totalPages, copy.pragma('page_count', { simple: true }), 'every page copied');
});
