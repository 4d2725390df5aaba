/**
 * An exclusive lock between processes, held through a small SQLite file: the data directory's
 * lock (ledger-opener's `data-dir-lock.ts`, which explains the choice), a read-model database's
 * rebuild lock (one rebuild at a time uses its `rb_` tables) and an export's lock on its `--out`.
 * `PRAGMA locking_mode = EXCLUSIVE` after one write keeps SQLite's fcntl lock until the connection
 * closes, and the kernel drops it when the process dies, however it dies, so a kill -9 leaves no
 * stale lock. Who holds it is written beside it (`<lock>.json`) for a refused process to name.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Who holds a lock, as written beside it: pid and since when (ISO 8601). */
export interface LockHolder {
  readonly pid: number;
  readonly since: string;
}

/** Held (release it when done), or refused; `holder` is undefined until the holder wrote its file. */
export type HeldLockFile =
  | { readonly held: true; release(): void }
  | { readonly held: false; readonly holder: LockHolder | undefined };

/** `process 4242, since …`, or `another process` when the holder is not known. */
export function describeHolder(holder: LockHolder | undefined): string {
  return holder === undefined ? 'another process' : `process ${holder.pid}, since ${holder.since}`;
}

/** Takes the lock at `path` (creating the file), or says who holds it. Never waits. */
export function holdLockFile(path: string): HeldLockFile {
  // timeout 0: no busy wait, a held lock answers SQLITE_BUSY at once.
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.pragma(`user_version = ${process.pid}`);
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: unknown } | null)?.code !== 'SQLITE_BUSY') throw error;
    return { held: false, holder: holderOf(path) };
  }
  try {
    writeFileSync(
      `${path}.json`,
      `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`,
    );
  } catch {
    // A full disk, say: the lock is held all the same; a refused process then names no holder.
  }
  let open = true;
  return {
    held: true,
    release: () => {
      if (open) db.close();
      open = false;
    },
  };
}

function holderOf(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Partial<LockHolder>;
    if (Number.isSafeInteger(holder.pid) && typeof holder.since === 'string') return holder as LockHolder;
  } catch {
    // No holder file yet, or one cut short: the lock itself is what counts.
  }
  return undefined;
}
