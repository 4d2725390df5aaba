/**
 * An event store file cut short (a disk full, a copy that stopped) or one SQLite cannot open at
 * all: every command says in one line which file it is and what to do, and writes nothing. Until
 * this change they printed SQLite's bare words (`database disk image is malformed`, `unable to
 * open database file`) naming no file, and a backup of a store cut to a few bytes "succeeded"
 * with an empty event store in it, found out only when that backup was restored.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { EVENT_STORE_FILE, openLedger } from '@timebank/ledger-opener';
import { generateLedger } from '@timebank/projections/testing';
import { runLedger } from './ledger-process.js';

t.test('a damaged or unopenable event store is named in one line, and nothing is written', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-damaged-store-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const good = join(root, 'good');
  const opened = await openLedger({ engine: 'sqlite', dataDir: good });
  try {
    await generateLedger(opened.store, { volunteers: 50, eventsTarget: 2_000 });
  } finally {
    await opened.close();
  }

  for (const bytes of [50, 4096]) {
    const dataDir = join(root, `cut-${bytes}`);
    cpSync(good, dataDir, { recursive: true });
    const store = join(dataDir, EVENT_STORE_FILE);
    truncateSync(store, bytes);
    for (const args of [
      ['verify'],
      ['rebuild'],
      ['export', '--out', join(root, `export-${bytes}`)],
      ['backup', '--out', join(root, `backup-${bytes}`)],
    ]) {
      const run = await runLedger([...args, '--quiet', '--data-dir', dataDir]);
      const what = `${args[0]} on a store cut to ${bytes} bytes`;
      t.equal(run.status, 3, `${what}: exit 3\n${run.stderr}`);
      t.match(run.stderr, `ledger ${args[0]!}: the event store at ${store} is damaged`, `${what}: names it`);
      t.match(run.stderr, /restore the data directory from a backup/, `${what}: says what to do`);
      t.equal(run.stderr.trim().split('\n').length, 1, `${what}: one line`);
      t.equal(run.stdout, '', `${what}: no report`);
    }
    t.notOk(existsSync(join(root, `export-${bytes}`)), 'no export');
    t.notOk(existsSync(join(root, `backup-${bytes}`)), 'no backup');
  }

  // A path SQLite cannot open as a file at all (as a read-only mount or a directory it may not write).
  const unopenable = join(root, 'unopenable');
  mkdirSync(join(unopenable, EVENT_STORE_FILE), { recursive: true });
  const run = await runLedger(['verify', '--data-dir', unopenable]);
  t.equal(run.status, 3, run.stderr);
  t.match(run.stderr, `ledger verify: cannot open the event store at ${join(unopenable, EVENT_STORE_FILE)}`);
  t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
});
