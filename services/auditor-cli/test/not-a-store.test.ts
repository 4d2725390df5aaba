/**
 * A `ledger.sqlite` that holds no event store (another program's SQLite database, or an empty file
 * left by a failed copy) is refused by every command that needs a ledger, with one line and exit
 * 2, and not a byte of it changes. Until this release `verify` turned such a file into an empty
 * store (its tables, schema version and WAL mode written into it) and said `OK: 0 events`, `backup`
 * kept it as the ledger, and `migrate` wrote into its source.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { runLedger } from './ledger-process.js';

t.test('a ledger.sqlite that is not an event store is refused and left as it was', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-not-a-store-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const foreign = join(root, 'foreign');
  mkdirSync(foreign);
  const browser = new Database(join(foreign, 'ledger.sqlite'));
  browser.exec(
    "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT); INSERT INTO moz_places (url) VALUES ('x')",
  );
  browser.close();
  const empty = join(root, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'ledger.sqlite'), '');

  for (const [name, dataDir, words] of [
    ['foreign', foreign, /is a SQLite database of something else \(tables moz_places\), not an event store/],
    ['empty', empty, /holds no event store \(0 bytes\)/],
  ] as const) {
    const before = readFileSync(join(dataDir, 'ledger.sqlite'));
    for (const args of [
      ['verify', '--data-dir', dataDir],
      ['rebuild', '--data-dir', dataDir],
      ['export', '--data-dir', dataDir, '--out', join(root, `export-${name}.ndjson`)],
      ['migrate', '--from', dataDir, '--data-dir', join(root, `migrated-${name}`)],
      ['backup', '--data-dir', dataDir, '--out', join(root, `backup-${name}`)],
    ]) {
      const run = await runLedger(args);
      t.equal(run.status, 2, `${args[0]} exits 2: ${run.stderr.trim()}`);
      t.match(run.stderr, args[0] === 'backup' ? /no event store at \S+ledger\.sqlite/ : words);
      t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
      t.same(readFileSync(join(dataDir, 'ledger.sqlite')), before, `${args[0]} left the file byte for byte`);
      t.notOk(existsSync(join(dataDir, 'projections.sqlite')), 'and made no read models beside it');
      t.notOk(existsSync(join(root, `backup-${name}`)), 'no backup of it');
    }
  }
});
