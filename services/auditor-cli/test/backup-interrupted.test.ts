/**
 * `pnpm ledger backup` interrupted, as a real process: a SIGINT or SIGTERM while it copies removes
 * its hidden staging directory and exits 130 or 143, leaving no backup; a staging directory that a
 * killed process left behind is removed by the next run to the same target, which says so. The store is padded with a few
 * hundred megabytes so that the signal lands while the copy is under way.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { EVENT_STORE_FILE, openLedger } from '@timebank/ledger-opener';
import { repositoryRoot, runLedger } from './ledger-process.js';

const mainPath = join(repositoryRoot, 'services', 'auditor-cli', 'src', 'main.ts');
const tsxLoader = import.meta.resolve('tsx');

interface Interrupted {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** Whether the signal was sent (the trigger line appeared before the process ended). */
  readonly sent: boolean;
}

/** Runs `pnpm ledger <args>` and sends `signal` as soon as a stderr line matches `trigger`. */
function runAndSignal(
  args: readonly string[],
  trigger: RegExp,
  signal: NodeJS.Signals,
): Promise<Interrupted> {
  const child = spawn(process.execPath, ['--import', tsxLoader, mainPath, ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!sent && trigger.test(stderr)) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, exitSignal) => resolve({ status, signal: exitSignal, stderr, sent }));
  });
}

/** The entries of `directory` whose name marks a staging directory. */
const stagingLeftovers = (directory: string): string[] =>
  readdirSync(directory).filter((name) => /\.(incomplete|restoring)-\d+$/.test(name));

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}

t.test('an interrupted backup leaves nothing behind', async (t) => {
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
});
