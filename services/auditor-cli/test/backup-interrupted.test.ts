/**
 * `pnpm ledger backup` and `restore` interrupted, as real processes: a SIGINT or SIGTERM while
 * they copy (or verify) removes their hidden staging directory and exits 130 or 143, leaving no
 * backup and no restored data directory; a staging directory that a killed process left behind is
 * removed by the next run to the same target, which says so. The store is padded with a few
 * hundred megabytes so that the signal lands while the copy is under way.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { EVENT_STORE_FILE, openLedger } from '@timebank/ledger-opener';
import { runAndSignal, runLedger } from './ledger-process.js';

/** The entries of `directory` whose name marks a staging directory. */
const stagingLeftovers = (directory: string): string[] =>
  readdirSync(directory).filter((name) => /\.(incomplete|restoring)-\d+$/.test(name));

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}

t.test('an interrupted backup or restore leaves nothing behind', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-backup-interrupted-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  await opened.close();
  // ~320 MB beside the events: the copy takes long enough to be interrupted, verify ignores it.
  const db = new Database(join(dataDir, EVENT_STORE_FILE));
  db.exec('CREATE TABLE test_padding (blob BLOB)');
  const insert = db.prepare('INSERT INTO test_padding VALUES (randomblob(1048576))');
  db.transaction(() => {
    for (let index = 0; index < 320; index += 1) insert.run();
  })();
  db.close();

  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    t.test(`backup on ${signal}`, async (t) => {
      const out = join(root, `backup-${signal}`);
      const run = await runAndSignal(
        ['backup', '--data-dir', dataDir, '--out', out],
        /ledger\.sqlite: \d+\/\d+ pages/,
        signal,
      );
      t.ok(run.sent, 'the signal was sent while the event store was being copied');
      t.equal(run.status, status, `exit ${status} (signal ${run.signal}): ${run.stderr.slice(-300)}`);
      t.match(run.stderr, new RegExp(`interrupted by ${signal}; removed the staging directory`));
      t.notOk(existsSync(out), 'no backup');
      t.same(stagingLeftovers(root), [], 'no staging directory left');
    });
  }

  const backup = join(root, 'backup');
  t.test('a stale staging directory is removed by the next backup, a live one is left', async (t) => {
    const stale = join(root, `.backup.incomplete-${await deadPid()}`);
    const live = join(root, `.backup.incomplete-${process.pid}`);
    for (const path of [stale, live]) {
      mkdirSync(path);
      writeFileSync(join(path, 'ledger.sqlite'), 'half a copy');
    }
    const run = await runLedger(['backup', '--quiet', '--data-dir', dataDir, '--out', backup]);
    t.equal(run.status, 0, run.stderr);
    t.match(run.stderr, `backup: removed ${stale}, the staging directory of an interrupted run`);
    t.match(run.stderr, `backup: left ${live} alone: process ${process.pid}`);
    t.notOk(existsSync(stale), 'the stale one is gone');
    t.ok(existsSync(live), 'the one of a running process is not touched');
    rmSync(live, { recursive: true });
    t.ok(existsSync(join(backup, EVENT_STORE_FILE)), 'and the backup is made');
  });

  t.test('restore on SIGINT while copying', async (t) => {
    const restored = join(root, 'restored-copying');
    const run = await runAndSignal(
      ['restore', '--from', backup, '--data-dir', restored],
      /ledger\.sqlite: \d+ bytes, sha256 matches the manifest/,
      'SIGINT',
    );
    t.ok(run.sent, 'the signal was sent once the backup was checked');
    t.equal(run.status, 130, `exit 130 (signal ${run.signal}): ${run.stderr.slice(-300)}`);
    t.match(run.stderr, /restore: interrupted by SIGINT; removed the staging directory/);
    t.notOk(existsSync(restored), 'no data directory that looks restored');
    t.same(stagingLeftovers(root), [], 'no staging directory left');
  });

  t.test('restore on SIGTERM once the files are in: absent, or restored and verified', async (t) => {
    const restored = join(root, 'restored-verifying');
    const run = await runAndSignal(
      ['restore', '--from', backup, '--data-dir', restored],
      /(copied|restored) \d+ files into/,
      'SIGTERM',
    );
    t.ok(run.sent);
    t.same(stagingLeftovers(root), [], 'no staging directory left');
    if (run.status === 143) {
      t.notOk(existsSync(restored), 'interrupted before the rename: no data directory');
    } else {
      t.equal(run.status, 0, `it finished before the signal, verified: ${run.stderr.slice(-300)}`);
      t.ok(existsSync(join(restored, EVENT_STORE_FILE)));
    }
  });

  t.test('a stale restore staging directory is removed by the next restore', async (t) => {
    const restored = join(root, 'restored');
    const stale = join(root, `.restored.restoring-${await deadPid()}`);
    mkdirSync(stale);
    writeFileSync(join(stale, 'ledger.sqlite'), 'half a copy');
    const run = await runLedger(['restore', '--quiet', '--from', backup, '--data-dir', restored]);
    t.equal(run.status, 0, run.stderr);
    t.match(run.stderr, `restore: removed ${stale}, the staging directory of an interrupted run`);
    t.match(run.stdout, /verify OK/);
    t.same(stagingLeftovers(root), [], 'no staging directory left');
  });
});
