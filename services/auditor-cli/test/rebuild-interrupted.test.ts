/**
 * `pnpm ledger rebuild` interrupted, as a real process: a SIGINT or SIGTERM while it folds stops
 * it between two pages, and one while it builds the indexes stops it before the swap; it drops its half-built `rb_` tables, says so with
 * PROJECTION_INTERRUPTED and exits 130 or 143, and the live read models keep their checkpoint.
 * The ledger holds 300,000 generated events and read models rebuilt once, so that the rebuild is
 * still running when its first progress line (after one second) triggers the signal. A second
 * rebuild started then is refused (exit 2) while the first completes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { openLedger, READ_MODELS_FILE } from '@timebank/ledger-opener';
import { generateLedger } from '@timebank/projections/testing';
import { runAndSignal, runLedger, type LedgerRun } from './ledger-process.js';

/** The read-model file's table sets: the live checkpoint, and how many `rb_` (rebuild) and `vf_` (verify) tables exist. */
function readModelState(dataDir: string): {
  checkpoint: unknown;
  rebuildTables: number;
  verifyTables: number;
} {
  const db = new Database(join(dataDir, READ_MODELS_FILE), { readonly: true });
  try {
    const rebuild = db
      .prepare(
        "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name LIKE 'rb\\_%' ESCAPE '\\'",
      )
      .get() as { n: number };
    const verify = db
      .prepare(
        "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name LIKE 'vf\\_%' ESCAPE '\\'",
      )
      .get() as { n: number };
    const checkpoint = db.prepare('SELECT * FROM rm_checkpoint').all();
    return { checkpoint, rebuildTables: rebuild.n, verifyTables: verify.n };
  } finally {
    db.close();
  }
}

t.test('an interrupted rebuild drops its tables and leaves the live read models', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-rebuild-interrupted-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  try {
    await generateLedger(opened.store, { volunteers: 20_000, eventsTarget: 300_000 });
  } finally {
    await opened.close();
  }
  const first = await runLedger(['rebuild', '--quiet', '--data-dir', dataDir]);
  t.equal(first.status, 0, `live read models to keep: ${first.stderr}`);
  const before = readModelState(dataDir);
  t.equal(before.rebuildTables, 0, 'no rebuild tables to begin with');

  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    t.test(`rebuild on ${signal}`, async (t) => {
      const run = await runAndSignal(['rebuild', '--data-dir', dataDir], /^rebuild: \d+ events/m, signal);
      t.ok(run.sent, 'the signal was sent while the rebuild was folding');
      t.equal(run.status, status, `exit ${status} (signal ${run.signal}): ${run.stderr.slice(-300)}`);
      t.match(run.stderr, new RegExp(`ledger rebuild: ${signal}: stopping after the current step`));
      t.match(
        run.stderr,
        /ledger rebuild: PROJECTION_INTERRUPTED: rebuild interrupted at position \d+ of \d+; the half-built tables were dropped/,
      );
      t.same(readModelState(dataDir), before, 'the live checkpoint is unchanged and no rb_ table is left');
    });
  }

  t.test('a second rebuild beside a running one exits 2 and changes nothing', async (t) => {
    let second: Promise<LedgerRun> | undefined;
    const run = await runAndSignal(['rebuild', '--data-dir', dataDir], /^rebuild: \d+ events/m, () => {
      second = runLedger(['rebuild', '--data-dir', dataDir]);
    });
    t.ok(run.sent, 'the second rebuild started while the first was folding');
    t.equal(run.status, 0, `the first rebuild completes: ${run.stderr.slice(-300)}`);
    const refused = await second!;
    t.equal(refused.status, 2, 'the second exits 2');
    t.match(
      refused.stderr,
      /^ledger rebuild: PROJECTION_REBUILD_RUNNING: another rebuild of these read models is running \(process \d+, since [^)]+\); nothing was changed: wait for it to finish\n$/m,
    );
    t.same(readModelState(dataDir).rebuildTables, 0, 'no rb_ table is left');
  });

  // Found by the CLI QA pass: a Ctrl-C during verify left its shadow copy (`vf_` tables) behind.
  t.test('verify on SIGINT', async (t) => {
    const run = await runAndSignal(['verify', '--data-dir', dataDir], /^verify: \d+ events/m, 'SIGINT');
    t.ok(run.sent, 'the signal was sent while verify was replaying');
    t.equal(run.status, 130, `exit 130 (signal ${run.signal}): ${run.stderr.slice(-300)}`);
    t.match(
      run.stderr,
      /ledger verify: PROJECTION_INTERRUPTED: verify replay interrupted at position \d+ of \d+; its shadow tables were dropped/,
    );
    t.same(readModelState(dataDir), before, 'the live checkpoint is unchanged and no vf_ table is left');
  });

  // Found by the CLI QA pass: the indexes were built in one synchronous stretch and the swap
  // followed at once, so a Ctrl-C then went unheard: the rebuild swapped and exited 0, silently.
  t.test('rebuild on SIGINT while it builds the indexes', async (t) => {
    const run = await runAndSignal(
      ['rebuild', '--data-dir', dataDir],
      /^rebuild: building the indexes$/m,
      'SIGINT',
    );
    t.ok(run.sent, 'the signal was sent while the indexes were built');
    t.equal(run.status, 130, `exit 130 (signal ${run.signal}): ${run.stderr.slice(-300)}`);
    t.match(
      run.stderr,
      /ledger rebuild: PROJECTION_INTERRUPTED: rebuild interrupted at position (\d+) of \1; the half-built tables were dropped/,
    );
    t.same(readModelState(dataDir), before, 'the live checkpoint is unchanged and no rb_ table is left');
  });

  t.test('the next rebuild runs to the end', async (t) => {
    const run = await runLedger(['rebuild', '--quiet', '--data-dir', dataDir]);
    t.equal(run.status, 0, run.stderr);
    t.match(run.stdout, /rebuilt read models from \d+ events/);
    t.equal(readModelState(dataDir).rebuildTables, 0);
  });
});
