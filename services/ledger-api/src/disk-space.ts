/**
 * Free space on the file system that holds the data directory (LEDGER_DATA_DIR), for `/readyz`
 * and `/metrics`, read when they ask (no timer). With SQLite that is where the event store and the
 * read models grow; a disk that fills refuses every write (`503 STORE_UNAVAILABLE`, nothing
 * written), so readiness turns 503 below LEDGER_DISK_FREE_MIN_MB, before writes start failing,
 * and the gauge lets an operator alert on the trend. With PostgreSQL the store's own disk is the
 * database server's and is not seen here.
 */
import { statfs } from 'node:fs/promises';

export interface DiskSpaceWatch {
  /**
   * Bytes free to this process at the last reading (undefined before the first or after a failed
   * one), and a new reading started for the next call: a scrape shows the previous scrape's value,
   * and nothing runs between scrapes.
   */
  lastFreeBytes(): number | undefined;
  /** Why the API is not ready for lack of space, from a fresh reading; undefined when there is enough. */
  notReadyReason(): Promise<string | undefined>;
}

const MIB = 1024 * 1024;

/** Watches the file system of `path`; `freeBytesMin` is LEDGER_DISK_FREE_MIN_MB in bytes (0: readiness ignores it). */
export function watchDiskSpace(path: string, freeBytesMin: number): DiskSpaceWatch {
  let last: number | undefined;
  const read = async (): Promise<number | undefined> => {
    try {
      const stats = await statfs(path);
      // bavail, not bfree: the blocks reserved for root are not this process's to fill.
      last = stats.bavail * stats.bsize;
    } catch {
      last = undefined;
    }
    return last;
  };
  void read();
  return {
    lastFreeBytes: () => {
      const previous = last;
      void read();
      return previous;
    },
    async notReadyReason() {
      if (freeBytesMin === 0) return undefined;
      const free = await read();
      if (free === undefined || free >= freeBytesMin) return undefined;
      return `data directory's disk nearly full: ${Math.floor(free / MIB)} MiB free, below LEDGER_DISK_FREE_MIN_MB (${freeBytesMin / MIB})`;
    },
  };
}
