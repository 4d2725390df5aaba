/**
 * Files of derived data (the read models, the snapshots): everything in them is computed from the
 * events, so one that SQLite cannot open as a database (a header overwritten, a stray file under
 * the name) is no reason to stay down. It is moved aside, never deleted, with its -wal and -shm,
 * and a fresh file is created, which the caller fills again from the events. The event store
 * itself and the personal keys are never opened through this: their loss is not repairable here,
 * and `notADatabaseError` names the file and the way back (a backup) instead.
 */
import { existsSync, renameSync } from 'node:fs';
import { LedgerOpenError } from './open-error.js';

/** What a caller is told when a file was moved aside, in one line. */
export type SetAsideNotice = (message: string) => void;

/** SQLite's code for "file is not a database" (also: encrypted, or a header that is not SQLite's). */
const NOT_A_DATABASE = 'SQLITE_NOTADB';

export function isNotADatabase(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === NOT_A_DATABASE;
}

/** `path` with a suffix naming when it was set aside, e.g. `projections.sqlite.corrupt-2026-12-04T06-10-00-000Z`. */
function asidePath(path: string, now: Date): string {
  return `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
}

/**
 * `open(path)`, or, when SQLite says the file is not a database, the file set aside and
 * `open(path)` again on a new one. Any other error is the caller's.
 */
export function openDerivedSqliteFile<T>(
  path: string,
  open: (path: string) => T,
  notice: SetAsideNotice,
  now: () => Date = () => new Date(),
): T {
  try {
    return open(path);
  } catch (error) {
    if (!isNotADatabase(error)) throw error;
    const aside = asidePath(path, now());
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
    }
    notice(
      `${path} is not a SQLite database (${(error as Error).message}); it holds only data derived ` +
        `from the events, so it was moved to ${aside} and a new, empty one started`,
    );
    return open(path);
  }
}

/**
 * `error` as a LedgerOpenError (reason `damaged`) when SQLite says the file of `what` at `path`
 * is not a database, so the service prints one line and exits; otherwise `error` itself.
 */
export function notADatabaseError(error: unknown, what: string, path: string): unknown {
  if (!isNotADatabase(error)) return error;
  return new LedgerOpenError(
    'damaged',
    `${what} at ${path} is not a SQLite database (${(error as Error).message}); it cannot be rebuilt ` +
      'from anything else: restore the data directory from a backup (docs/operations.md, Backup and restore)',
    { cause: error },
  );
}
