/**
 * The data directory's write lock: one process at a time owns a SQLite data directory (the
 * server, or a command that must not run beside it). SQLite lets several processes write one file,
 * which is what let an older server keep writing rows of its own layout into tables a newer one
 * had migrated; this lock is what stops a second owner.
 *
 * The lock is `ledger.lock`, a small SQLite file held with `PRAGMA locking_mode = EXCLUSIVE` after
 * one write: SQLite keeps an fcntl lock on it until the connection closes, and the kernel drops
 * that lock when the process dies, however it dies, so a kill -9 leaves no stale lock. Who holds
 * it is written beside it, in `ledger.lock.json` (pid, since when), for a refused process to name:
 * that file is only ever read by a process that was refused the lock, so a stale one is harmless.
 * It is a file of its own because the holder's own process must never open and close
 * `ledger.lock` outside SQLite: closing any descriptor of a file drops every fcntl lock the
 * process holds on it.
 *
 * fcntl locks belong to a process, and SQLite tracks them per process: a second connection in the
 * same process (another thread of the server) is refused like another process would be. Take the
 * lock once per process, where the process starts.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { holdLockFile, type LockHolder } from '@timebank/projections';
import { DATA_DIR_LOCK_FILE } from './file-names.js';
import { LedgerOpenError } from './open-error.js';

export interface DataDirLock {
  /** The data directory, resolved. */
  readonly directory: string;
  /** Lets the next owner in; also done by the kernel when the process ends. */
  release(): void;
}

/**
 * Takes `<directory>/ledger.lock` (creating the directory and the file if needed), or throws a
 * LedgerOpenError `locked` naming the directory and the holder's pid. Never waits: a second owner
 * fails at once.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const directory = resolve(dataDir);
  mkdirSync(directory, { recursive: true });
  const path = join(directory, DATA_DIR_LOCK_FILE);
  // The holder is written beside it, in DATA_DIR_LOCK_HOLDER_FILE (`ledger.lock.json`).
  const lock = holdLockFile(path);
  if (!lock.held) throw new LedgerOpenError('locked', lockedMessage(directory, path, lock.holder));
  return { directory, release: () => lock.release() };
}

function lockedMessage(directory: string, path: string, holder: LockHolder | undefined): string {
  const who =
    holder === undefined
      ? 'another ledger process'
      : `another ledger process (pid ${holder.pid}, since ${holder.since})`;
  return (
    `the data directory ${directory} is in use by ${who}: ${path} is locked. ` +
    'One server (or owning command) at a time may use a SQLite data directory; stop the other one first'
  );
}
