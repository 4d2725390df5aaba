import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { isLedgerOpenError, lockDataDir, type DataDirLock } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'timebank-dir-lock-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

/** Only the lock's module: the whole opener would load every engine's driver first. */
const lockModule = join(import.meta.dirname, '..', 'src', 'data-dir-lock.ts');

/** Whether another process can take the lock now (it takes it and exits at once). */
function anotherProcessLocks(dataDir: string): { status: number | null; stderr: string } {
  const script = `import { lockDataDir } from ${JSON.stringify(lockModule)};
    try { lockDataDir(${JSON.stringify(dataDir)}); } catch (error) { process.stderr.write(error.message); process.exit(2); }`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: import.meta.dirname,
  });
}

t.test('one holder at a time, in this process or another; released, it is free again', async (t) => {
  const dataDir = join(directory, 'data');
  const lock: DataDirLock = lockDataDir(dataDir);
  t.equal(lock.directory, dataDir);

  const again: unknown = (() => {
    try {
      return lockDataDir(dataDir);
    } catch (error) {
      return error;
    }
  })();
  t.ok(isLedgerOpenError(again) && again.reason === 'locked', 'a second lock in this process is refused');
  t.match(
    (again as Error).message,
    `the data directory ${dataDir} is in use by another ledger process (pid ${process.pid}`,
  );

  const other = anotherProcessLocks(dataDir);
  t.equal(other.status, 2, 'another process is refused');
  t.match(other.stderr, `(pid ${process.pid}, since `, 'and told who holds it');
  t.equal(anotherProcessLocks(dataDir).status, 2, 'reading who holds it did not drop the lock');

  lock.release();
  lock.release();
  t.equal(anotherProcessLocks(dataDir).status, 0, 'released: another process takes it');
  const retaken = lockDataDir(dataDir);
  t.teardown(() => retaken.release());
  t.pass('and so does this one, after that process ended');
});
