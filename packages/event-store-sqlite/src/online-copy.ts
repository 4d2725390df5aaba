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

export interface OnlineCopyProgress {
  readonly totalPages: number;
  readonly copiedPages: number;
  /** How often SQLite started over because another connection wrote to the source meanwhile. */
  readonly restarts: number;
}

/**
 * Copies the database at `source` into a new file `destination` (which must not exist). The copy
 * is one snapshot of the source as of one committed transaction: SQLite restarts a step-wise copy
 * when another connection writes between steps, and after the first restart the rest is copied in
 * a single step (one read transaction; in WAL mode writers are not blocked by it), so the copy
 * ends even under a steady write load. Opens the source read-only; never writes to it.
 */
export async function copySqliteOnline(
  source: string,
  destination: string,
  onProgress?: (progress: OnlineCopyProgress) => void,
): Promise<OnlineCopyProgress> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  let restarts = 0;
  let lastRemaining = Number.POSITIVE_INFINITY;
  let last: OnlineCopyProgress = { totalPages: 0, copiedPages: 0, restarts: 0 };
  try {
    await db.backup(destination, {
      progress({ totalPages, remainingPages }) {
        // Remaining pages only go up when SQLite started the copy over.
        if (remainingPages > lastRemaining) restarts += 1;
        lastRemaining = remainingPages;
        last = { totalPages, copiedPages: totalPages - remainingPages, restarts };
        onProgress?.(last);
        return restarts > 0 ? Math.max(totalPages, 1) : PAGES_PER_STEP;
      },
    });
  } finally {
    db.close();
  }
  const finished = { totalPages: last.totalPages, copiedPages: last.totalPages, restarts };
  return finished;
}
