/**
 * A consistent copy of a live SQLite database file through SQLite's online backup API, while
 * other processes keep writing to it. It lives with the adapter because the adapter owns the
 * driver; the ledger opener uses it for every SQLite file in the data directory.
 */
import Database from 'better-sqlite3';

/**
 * Pages copied per step while nobody writes to the source: small enough that progress is
 * reported every few megabytes (4 KiB pages by default: 16 MiB per step), large enough that a
 * small file is copied in one step.
 */
const PAGES_PER_STEP = 4096;

/**
 * Asks for every page in one step: the page count SQLite reports is the one before the last
 * write, and a step sized by it would leave the pages that write added for yet another step.
 * (better-sqlite3 clamps the count to a 32-bit signed integer.)
 */
const ALL_PAGES = 0x7fffffff;

export interface OnlineCopyProgress {
  readonly totalPages: number;
  readonly copiedPages: number;
  /** How often SQLite started over because another connection wrote to the source meanwhile. */
  readonly restarts: number;
}

export interface OnlineCopyOptions {
  readonly source: string;
  /** A new file; must not exist. */
  readonly destination: string;
  /** Called after every step that did not finish the copy. */
  readonly onProgress?: (progress: OnlineCopyProgress) => void;
  /** Pages per step until the first restart; default PAGES_PER_STEP. Tests make it small. */
  readonly pagesPerStep?: number;
}

/**
 * Copies the database at `source` into a new file `destination`. The copy is one snapshot of the source as of one committed transaction: SQLite restarts a step-wise copy
 * when another connection writes between steps, and after the first restart the rest is copied in
 * a single step (one read transaction; in WAL mode writers are not blocked by it), so the copy
 * ends even under a steady write load. Never changes what the source holds; it is opened
 * read-write only so that, when nobody else has it open, closing folds its WAL back in and
 * removes the -wal and -shm files, as any SQLite connection would (a read-only connection
 * would leave them behind in the data directory).
 */
export async function copySqliteOnline(options: OnlineCopyOptions): Promise<OnlineCopyProgress> {
  const { source, destination, onProgress } = options;
  const pagesPerStep = options.pagesPerStep ?? PAGES_PER_STEP;
  const db = new Database(source, { fileMustExist: true });
  let restarts = 0;
  try {
    // The backup API copies pages without reading them: a file cut to a few bytes would be
    // copied as an empty database. Reading the schema makes SQLite check the header first.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (error) {
    db.close();
    throw error;
  }
  let lastRemaining = Number.POSITIVE_INFINITY;
  let last: OnlineCopyProgress = { totalPages: 0, copiedPages: 0, restarts: 0 };
  try {
    await db.backup(destination, {
      progress({ totalPages, remainingPages }) {
        // Every step copies at least one page, so remaining pages that did not go down mean that
        // SQLite started the copy over (with the same count when the write did not grow the file).
        if (remainingPages >= lastRemaining) restarts += 1;
        lastRemaining = remainingPages;
        last = { totalPages, copiedPages: totalPages - remainingPages, restarts };
        onProgress?.(last);
        return restarts > 0 ? ALL_PAGES : pagesPerStep;
      },
    });
  } finally {
    db.close();
  }
  return { totalPages: last.totalPages, copiedPages: last.totalPages, restarts };
}
