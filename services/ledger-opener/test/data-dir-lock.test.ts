import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import Database from 'better-sqlite3';
import { newEvent } from '@timebank/event-store/contract';
import { toVersion3Layout } from '@timebank/event-store-sqlite/testing';
import {
  EVENT_STORE_FILE,
  isLedgerOpenError,
  lockDataDir,
  openEventStore,
  type DataDirLock,
} from '../src/index.js';

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

const storedVersion = (path: string): unknown => {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true });
  } finally {
    db.close();
  }
};

t.test('a store is migrated only with its data directory to itself', async (t) => {
  const dataDir = join(directory, 'version-3');
  const path = join(dataDir, EVENT_STORE_FILE);
  const old = await openEventStore({ engine: 'sqlite', dataDir });
  await old.appendToStream('volunteer-a', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
  await old.close();
  toVersion3Layout(path);

  const server = lockDataDir(dataDir);
  const refused: unknown = await openEventStore({ engine: 'sqlite', dataDir }).catch(
    (error: unknown) => error,
  );
  t.ok(
    isLedgerOpenError(refused) && refused.reason === 'locked',
    'refused while another owner holds the directory',
  );
  t.match(
    (refused as Error).message,
    `${path} has schema version 3 and must be migrated, which needs its data directory to itself: the data directory ${dataDir} is in use`,
  );
  t.equal(storedVersion(path), 3, 'the file is left as it was');

  const owned = await openEventStore({ engine: 'sqlite', dataDir }, { dataDirLock: server });
  t.equal(storedVersion(path), 4, 'the holder of the lock migrates it');
  const beside = await openEventStore({ engine: 'sqlite', dataDir });
  t.equal((await beside.readStream('volunteer-a')).length, 2, 'a current store opens beside the holder');
  await beside.close();
  await owned.close();
  server.release();

  const other = join(directory, 'version-3-free');
  const otherStore = await openEventStore({ engine: 'sqlite', dataDir: other });
  await otherStore.close();
  toVersion3Layout(join(other, EVENT_STORE_FILE));
  const free = await openEventStore({ engine: 'sqlite', dataDir: other });
  t.equal(
    storedVersion(join(other, EVENT_STORE_FILE)),
    4,
    'with nobody holding the directory, any opener migrates',
  );
  const after = lockDataDir(other);
  t.pass('and lets the lock go once the migration is done');
  after.release();
  await free.close();
});
