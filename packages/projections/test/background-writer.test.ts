/**
 * The SQLite background writer a rebuild uses for its evictions: commits run in order on the
 * worker's own connection, a wait for one ticket sees that commit's rows, and a failed commit
 * is reported by every later wait and refuses later commits, without hanging anyone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openSqliteReadModels } from '../src/dialect/sqlite.js';
import { REBUILD_PREFIX, tableSpec, type Row } from '../src/tables.js';

const partners = tableSpec('partner');

function partnerRow(id: string): Row {
  const row: Row = {};
  for (const [column, type] of Object.entries(partners.columns))
    row[column] = type === 'int' ? 0 : `${column}-${id}`;
  row[partners.key[0] ?? 'partner_id'] = id;
  return row;
}

t.test('background commits land in order, and a wait for a ticket sees its rows', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-background-writer-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const db = openSqliteReadModels({ path: join(directory, 'read-models.sqlite') });
  t.teardown(() => db.close());
  await db.ensureTableSet(REBUILD_PREFIX, { secondaryIndexes: false });
  const start = db.startBackgroundWriter;
  if (start === undefined) throw new Error('the SQLite dialect offers a background writer');
  const writer = start();
  t.throws(() => start(), /already running/, 'one writer per database at a time');
  const tickets: number[] = [];
  for (let batch = 0; batch < 5; batch += 1) {
    const rows = Array.from({ length: 200 }, (_, index) =>
      partnerRow(`p${batch}-${String(index).padStart(3, '0')}`),
    );
    tickets.push(
      writer.post(REBUILD_PREFIX, [{ table: partners, rows }], 0n, 0n, { insertOnly: batch === 0 }),
    );
  }
  t.same(tickets, [1, 2, 3, 4, 5], 'tickets count the commits');
  t.notOk(writer.idle(), 'not idle while commits are queued');
  writer.settleSync(3);
  const key = partners.key[0] ?? 'partner_id';
  const third = db.loadRowSync?.(REBUILD_PREFIX, partners, ['p2-199']);
  t.equal(third?.[key], 'p2-199', 'after settling ticket 3, a row of commit 3 reads back');
  await writer.settled();
  const [count] = await db.query(`SELECT count(*) AS n FROM ${REBUILD_PREFIX}partner`);
  t.equal(count?.n, 1000, 'every row of every commit');
  t.ok(writer.idle(), 'idle once every queued commit committed');
  await writer.close();
  await writer.close();
  t.pass('close is idempotent');
});

t.test('a failed background commit is reported by every wait and refuses later commits', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-background-writer-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const db = openSqliteReadModels({ path: join(directory, 'read-models.sqlite') });
  t.teardown(() => db.close());
  await db.ensureTableSet(REBUILD_PREFIX, { secondaryIndexes: false });
  const writer = db.startBackgroundWriter?.();
  if (writer === undefined) throw new Error('the SQLite dialect offers a background writer');
  const row = partnerRow('twice');
  writer.post(REBUILD_PREFIX, [{ table: partners, rows: [row] }], 0n, 0n, { insertOnly: true });
  // The same key again as a plain INSERT: SQLite's unique-key error, in the worker.
  const failing = writer.post(REBUILD_PREFIX, [{ table: partners, rows: [row] }], 0n, 0n, {
    insertOnly: true,
  });
  const skipped = writer.post(REBUILD_PREFIX, [{ table: partners, rows: [partnerRow('after')] }], 0n, 0n, {
    insertOnly: true,
  });
  t.throws(() => writer.settleSync(failing), /UNIQUE constraint failed/, 'the synchronous wait throws it');
  t.notOk(writer.idle(), 'a writer whose commit failed is never idle');
  await t.rejects(writer.settled(skipped), /UNIQUE constraint failed/, 'so does the asynchronous one');
  t.throws(
    () => writer.post(REBUILD_PREFIX, [{ table: partners, rows: [partnerRow('later')] }], 0n, 0n),
    /UNIQUE constraint failed/,
    'a later commit is refused',
  );
  await writer.close();
  const rows = await db.query(`SELECT partner_id FROM ${REBUILD_PREFIX}partner ORDER BY partner_id`);
  t.same(
    rows.map((found) => found.partner_id),
    ['twice'],
    'the first commit landed; the failed one and the one after it wrote nothing',
  );
  await db.dropTableSet(REBUILD_PREFIX);
  t.pass('once closed, the database is usable again');
});
