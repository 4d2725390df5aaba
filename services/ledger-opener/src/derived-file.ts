/**
 * Files of derived data (the read models, the snapshots): everything in them is computed from the
 * events, so one that SQLite cannot open as a database (a header overwritten, a stray file under
 * the name) is no reason to stay down. It is moved aside, never deleted, with its -wal and -shm,
 * and a fresh file is created, which the caller fills again from the events. The event store
 * itself and the personal keys are never opened through this: their loss is not repairable here,
 * and `notADatabaseError` names the file and the way back (a backup) instead.
 */
import { existsSync, renameSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { saysDiskFull } from '@timebank/event-store';
import { LedgerOpenError } from './open-error.js';

/** What a caller is told when a file was moved aside, in one line. */
export type SetAsideNotice = (message: string) => void;

/** SQLite's code for "file is not a database" (also: encrypted, or a header that is not SQLite's). */
const NOT_A_DATABASE = 'SQLITE_NOTADB';
/** SQLite's code for "database disk image is malformed": a file cut short, or pages overwritten. */
const MALFORMED = 'SQLITE_CORRUPT';
/**
 * SQLite's codes for a file it cannot open or write at all (`unable to open database file`): a
 * directory this user cannot write (even a reader writes the -wal and -shm files beside the
 * database), a read-only file system, a file it may not read. The extended codes start so too.
 */
const UNOPENABLE_CODES = ['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PERM', 'SQLITE_IOERR'];

/** Free bytes below which an I/O error on open is put down to a full disk: SQLite's -shm takes 32 KiB. */
const FULL_DISK_BYTES = 64 * 1024;

const sqliteCode = (error: unknown): string | undefined => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
};

export function isMalformed(error: unknown): boolean {
  return sqliteCode(error) === MALFORMED;
}

export function isNotADatabase(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === NOT_A_DATABASE;
}

/** `path` with a suffix naming when it was set aside, e.g. `projections.sqlite.corrupt-2026-12-04T06-10-00-000Z`. */
function asidePath(path: string, now: Date): string {
  return `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
}

/**
 * `open(path)`, or, when SQLite says the file is not a database or is malformed (cut short, pages
 * overwritten), the file set aside and `open(path)` again on a new one. Any other error is the
 * caller's. Until this release a malformed file stopped the server at start-up and every
 * `pnpm ledger` command, `rebuild` included, with `database disk image is malformed`.
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
    if (!isNotADatabase(error) && !isMalformed(error)) throw error;
    const aside = asidePath(path, now());
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
    }
    const what = isMalformed(error) ? 'is damaged' : 'is not a SQLite database';
    notice(
      `${path} ${what} (${(error as Error).message}); it holds only data derived ` +
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

/**
 * `error` of opening the SQLite file of `what` at `path`, as a LedgerOpenError that names the
 * file when SQLite's own words do not: not a database or malformed (`damaged`: restore from a
 * backup), or not openable at all (`unopenable`: the directory's permissions or file system).
 * Any other error is returned as it is.
 */
/**
 * Whether the file system holding `directory` has no room left for SQLite's next page: a full disk
 * shows up when opening as an I/O error (the -shm file cannot grow), which on its own reads like a
 * permissions problem.
 */
export function diskIsFull(directory: string): boolean {
  try {
    const stats = statfsSync(directory);
    return stats.bavail * stats.bsize < FULL_DISK_BYTES;
  } catch {
    return false;
  }
}

export function sqliteOpenError(error: unknown, what: string, path: string): unknown {
  const code = sqliteCode(error);
  const words = error instanceof Error ? error.message : String(error);
  if ((error as { code?: unknown } | null)?.code === 'NOT_AN_EVENT_STORE') {
    return new LedgerOpenError('missing', `${words} (check the data directory)`, {
      cause: error,
    });
  }
  if (code === MALFORMED) {
    return new LedgerOpenError(
      'damaged',
      `${what} at ${path} is damaged (${words}: cut short or overwritten); it cannot be rebuilt from ` +
        'anything else: restore the data directory from a backup (docs/operations.md, Backup and restore)',
      { cause: error },
    );
  }
  if (saysDiskFull(error) || (code?.startsWith('SQLITE_IOERR') === true && diskIsFull(dirname(path)))) {
    return new LedgerOpenError(
      'unopenable',
      `cannot open ${what} at ${path} (${words}): no space left on the disk of ${dirname(path)}, ` +
        'where SQLite must write its -wal and -shm files even to read; free space and try again',
      { cause: error },
    );
  }
  if (code !== undefined && UNOPENABLE_CODES.some((prefix) => code.startsWith(prefix))) {
    return new LedgerOpenError(
      'unopenable',
      `cannot open ${what} at ${path} (${words}): this user must be able to read it and to write ` +
        `its directory ${dirname(path)}, where SQLite keeps its -wal and -shm files even to read ` +
        '(a read-only mount or copy cannot be opened in place: copy it to a writable directory)',
      { cause: error },
    );
  }
  return notADatabaseError(error, what, path);
}
