/**
 * `rebuild`: replays every event into a fresh table set and swaps it for the live one in one
 * transaction. Readers see the old read models until the swap and the new ones after, never a
 * half-built state. A live projector elsewhere notices the swap as a checkpoint conflict on its
 * next commit, drops its cache and continues from the rebuilt checkpoint.
 *
 * The fresh set has nothing to upsert against, so the replay folds the read models in memory
 * (`BulkLoader`, same handlers as the live projector) and bulk-inserts them; secondary indexes
 * are built once over the finished tables.
 */
import { getHeapStatistics } from 'node:v8';
import { DEFAULT_LEDGER_RULES, type LedgerRules } from '@timebank/domain';
import {
  payloadReaderOf,
  saysDiskFull,
  type EventPayload,
  type EventStore,
  type ReadAllOptions,
} from '@timebank/event-store';
import { BulkLoader } from '../bulk-loader.js';
import type { ReadModelDatabase } from '../dialect/dialect.js';
import { isProjectionError, ProjectionError } from '../errors.js';
import { projectionRules } from '../handlers/index.js';
import { LIVE_PREFIX, REBUILD_PREFIX } from '../tables.js';
import type { ReplayProgress, ReplayResult } from './replay.js';

export interface RebuildOptions {
  readonly store: EventStore;
  readonly db: ReadModelDatabase;
  readonly rules?: LedgerRules;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** See `BulkLoaderOptions.rowsInMemoryMax`. */
  readonly rowsInMemoryMax?: number;
  /**
   * Events per read, in events. Default 1,000: a page is parsed, folded and dropped while it is
   * still in V8's young generation. Pages of 10,000 (the port's ceiling) outlive it, get copied
   * into the old generation and read 20–40% slower (measured on the benchmark's ledger).
   */
  readonly pageEvents?: number;
  /**
   * Whether rows evicted beyond the budget may be written on a second thread (SQLite). Default:
   * yes, unless V8's heap limit is below BOUNDED_HEAP_BYTES, i.e. an operator bounded this
   * process's memory (`--max-old-space-size`): the second thread then keeps the rebuild within
   * that bound instead of ~55 MiB above it, at ~15% of the speed.
   */
  readonly backgroundWrites?: boolean;
  /** Least time between two progress reports, in milliseconds. Default 1,000. */
  readonly progressIntervalMs?: number;
  /**
   * Told when every event is folded and the indexes are being built: on a large ledger a stretch
   * of seconds with no progress report.
   */
  readonly onIndexing?: () => void;
  /**
   * Stops the rebuild between two pages, or between the indexes of two tables: it then drops the
   * half-built set and throws PROJECTION_INTERRUPTED, the live read models unchanged. Once the
   * indexes are built the swap (one transaction) goes ahead.
   */
  readonly signal?: AbortSignal;
}

/**
 * Lets the event loop run (a signal handler abort `signal`), then throws PROJECTION_INTERRUPTED
 * if it was: SQLite reads, folds and indexes without leaving the microtask queue.
 */
async function turnAndCheck(signal: AbortSignal | undefined, position: bigint, until: bigint): Promise<void> {
  if (signal === undefined) return;
  await new Promise((resolve) => setImmediate(resolve));
  throwIfInterrupted(signal, position, until);
}

function throwIfInterrupted(signal: AbortSignal | undefined, position: bigint, until: bigint): void {
  if (signal?.aborted !== true) return;
  throw new ProjectionError(
    'PROJECTION_INTERRUPTED',
    `rebuild interrupted at position ${position} of ${until}; the half-built tables were dropped and the read models are unchanged`,
  );
}

export const DEFAULT_REBUILD_PAGE_EVENTS = 1000;
/**
 * Longest stretch, in milliseconds, a rebuild with a `signal` folds before it lets the event loop
 * run (and a signal handler abort it): how long Ctrl-C may go unheard, at the cost of one
 * setImmediate per stretch.
 */
const SIGNAL_TURN_INTERVAL_MS = 100;
/** A heap limit below this, in bytes, means someone bounded the process's memory: 512 MiB. */
const BOUNDED_HEAP_BYTES = 512 * 1024 * 1024;

function requireCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
    throw new ProjectionError(
      'PROJECTION_INVALID_ARGUMENT',
      `${name} must be a whole number ≥ 1, got ${value}`,
    );
  }
}

/**
 * Rebuilds every read model from the events up to the store's head when called, then swaps the
 * result in. Throws PROJECTION_INVALID_ARGUMENT for bad options (before touching anything) and
 * PROJECTION_CORRUPT_HISTORY for a history that contradicts itself; on any failure the
 * half-built set is dropped and the live read models are untouched.
 */
export async function rebuildReadModels(options: RebuildOptions): Promise<ReplayResult> {
  // Taking the lock writes too (on SQLite, its file): a full disk already shows here.
  const lock = await Promise.resolve(options.db.lockRebuild?.()).catch((error: unknown) => {
    throw rebuildFailure(error);
  });
  if (lock?.held === false) {
    throw new ProjectionError(
      'PROJECTION_REBUILD_RUNNING',
      `another rebuild of these read models is running (${lock.holder}); nothing was changed: wait for it to finish`,
    );
  }
  try {
    return await rebuildHoldingTheLock(options);
  } finally {
    await lock?.release();
  }
}

async function rebuildHoldingTheLock(options: RebuildOptions): Promise<ReplayResult> {
  const { store, db } = options;
  requireCount('rowsInMemoryMax', options.rowsInMemoryMax);
  requireCount('pageEvents', options.pageEvents);
  requireCount('progressIntervalMs', options.progressIntervalMs);
  const started = performance.now();
  await db.dropTableSet(REBUILD_PREFIX);
  const loader = new BulkLoader(db, REBUILD_PREFIX, {
    rules: projectionRules(options.rules ?? DEFAULT_LEDGER_RULES),
    ...(options.rowsInMemoryMax === undefined ? {} : { rowsInMemoryMax: options.rowsInMemoryMax }),
    backgroundWrites: options.backgroundWrites ?? getHeapStatistics().heap_size_limit >= BOUNDED_HEAP_BYTES,
  });
  const pageEvents = options.pageEvents ?? DEFAULT_REBUILD_PAGE_EVENTS;
  const intervalMs = options.progressIntervalMs ?? 1000;
  try {
    await loader.open();
    // Events appended after this point are the live projector's to apply after the swap.
    const until = await store.headPosition();
    let events = 0;
    let lastReportMs = started;
    let lastTurnMs = started;
    const report = (now: number): void => {
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? events / seconds : 0;
      options.onProgress?.({
        position: loader.position,
        headPosition: until,
        events,
        eventsPerSecond: Math.round(rate),
        etaSeconds: rate > 0 ? Math.max(0, Number(until - loader.position) / rate) : null,
      });
    };
    // Projections need neither ids, metadata, hashes nor times: a store that can leave them out does.
    const payloads = payloadReaderOf(store);
    const read = (options: ReadAllOptions): Promise<EventPayload[]> =>
      payloads === undefined ? store.readAll(options) : payloads.readAllPayloads(options);
    for (let cursor = 0n; cursor < until;) {
      throwIfInterrupted(options.signal, loader.position, until);
      const page = await read({ fromPosition: cursor, maxCount: pageEvents });
      if (page.length === 0) break;
      cursor = page.at(-1)?.position ?? until;
      const wanted = cursor <= until ? page : page.filter((event) => event.position <= until);
      await loader.apply(wanted);
      events += wanted.length;
      const now = performance.now();
      if (now - lastReportMs >= intervalMs) {
        lastReportMs = now;
        report(now);
      }
      // A page on SQLite reads and folds without ever leaving the microtask queue, so a signal
      // handler (which aborts `signal`) would not run before the end: give it a turn now and then.
      if (options.signal !== undefined && now - lastTurnMs >= SIGNAL_TURN_INTERVAL_MS) {
        lastTurnMs = now;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    throwIfInterrupted(options.signal, loader.position, until);
    const position = await loader.finish();
    // The last page and the final write did not leave the microtask queue either: a signal that
    // came meanwhile is handled only now, before the indexes and the swap, or it would be lost.
    await turnAndCheck(options.signal, position, until);
    options.onIndexing?.();
    // Likewise between the indexes of two tables, and after the last: a signal that came while
    // they were built (seconds on a large ledger) stops the rebuild before the swap.
    const beforeTable = (): Promise<void> => turnAndCheck(options.signal, position, until);
    await db.createSecondaryIndexes(REBUILD_PREFIX, { beforeTable });
    await beforeTable();
    await db.swapTableSet(REBUILD_PREFIX, LIVE_PREFIX);
    report(performance.now());
    return { events, position, elapsedMs: performance.now() - started };
  } catch (error) {
    await loader.close();
    await db.dropTableSet(REBUILD_PREFIX).catch(() => undefined);
    throw rebuildFailure(error);
  }
}

/** What a failed rebuild throws once its half-built set is dropped: a full disk said as such. */
function rebuildFailure(error: unknown): unknown {
  if (!saysDiskFull(error) || isProjectionError(error)) return error;
  return new ProjectionError(
    'PROJECTION_DISK_FULL',
    `no space left on the read models' disk (${(error as Error).message}); the half-built tables were dropped and the read models are unchanged: free space and rebuild again`,
    { cause: error },
  );
}
