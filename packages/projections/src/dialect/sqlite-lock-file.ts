/**
 * An exclusive lock between processes, held through a small SQLite file, for a SQLite read-model
 * database's rebuild (one rebuild at a time may use its `rb_` tables). As the data directory's
 * lock in ledger-opener (`data-dir-lock.ts`, which explains the choice): `PRAGMA locking_mode =
 * EXCLUSIVE` after one write keeps SQLite's fcntl lock until the connection closes, and the kernel
 * drops it when the process dies, however it dies, so a kill -9 leaves no stale lock. Who holds it
 * is written beside it (`<lock>.json`) for a refused process to name.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

export type HeldLockFile =
  { readonly held: true; release(): void } | { readonly held: false; readonly holder: string };

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

function holderOf(path: string): string {
  try {
    const { pid, since } = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as {
      pid?: unknown;
      since?: unknown;
    };
    if (typeof pid === 'number' && typeof since === 'string') return `process ${pid}, since ${since}`;
  } catch {
    // No holder file yet, or one cut short: the lock itself is what counts.
  }
  return 'another process';
}
