/**
 * Loads a whole history into a table set that was just created empty (rebuild). Unlike the live
 * applier it does not write per batch: it folds the read models in memory with the same handlers
 * and writes each row once, when the history ends, as plain multi-row INSERTs in key order.
 *
 * Memory is bounded by a row budget. Past it, the coldest rows (old service records and holds
 * first, see `TableSpec.evictionRank`) are written and dropped, and their keys go into a
 * fixed-size filter: a later event that needs one of them loads it back (on SQLite at the miss
 * itself; on PostgreSQL in bulk before its page is applied, as the live applier does), while a
 * miss on any other key (a new record) still needs no lookup. Rows written early may be written
 * again later, so writes after the first one are upserts. The table set's checkpoint stays 0
 * until the last write: nobody reads it before the swap.
 */
import type { EventPayload } from '@timebank/event-store';
import type { ReadModelDatabase, TableChanges } from './dialect/dialect.js';
import type { BackgroundWriter } from './dialect/sqlite-background-writer.js';
import { applyEvent, wantRows, type ProjectionRules } from './handlers/index.js';
import { sortByKey } from './row-order.js';
import type { TableSetPrefix } from './tables.js';
import { WorkingSet } from './working-set.js';

export interface BulkLoaderOptions {
  readonly rules: ProjectionRules;
  /**
   * Rows held in memory, all tables together, before the coldest are written and dropped.
   * Default 200,000 rows: the live heap of a rebuild then stays near 70 MB (measured on the
   * benchmark's ledger: ~350 bytes per row, 12 MB of modules, the key filters), so with V8's old
   * space capped at twice that (144 MiB) the whole process stays under the rebuild's 300 MB RSS target.
   */
  readonly rowsInMemoryMax?: number;
  /**
   * Whether evicted rows may be written on another thread where the engine offers one (SQLite).
   * Default true. It costs ~55 MiB of peak RSS (the worker, and an eviction's rows kept until the
   * next one), so `rebuildReadModels` turns it off for a process whose heap was bounded.
   */
  readonly backgroundWrites?: boolean;
}

export const DEFAULT_ROWS_IN_MEMORY_MAX = 200_000;
/**
 * Rows per background commit, in rows: ~1 MB of the widest rows, a millisecond or two of SQLite.
 * The worker holds one at a time. Each is one `postMessage`, whose buffer glibc maps afresh above
 * its mmap threshold: `pnpm ledger` raises that to 4 MiB (`MALLOC_MMAP_THRESHOLD_`), which 10,000
 * rows outgrew (see scripts/bench/support/allocator.ts).
 */
const BACKGROUND_COMMIT_ROWS = 2_500;

/** `changes` cut into pieces of at most `rowsMax` rows. */
function* pieces(changes: readonly TableChanges[], rowsMax: number): Generator<TableChanges[]> {
  let piece: TableChanges[] = [];
  let size = 0;
  for (const { table, rows } of changes) {
    for (let start = 0; start < rows.length;) {
      const take = Math.min(rows.length - start, rowsMax - size);
      piece.push({ table, rows: rows.slice(start, start + take) });
      size += take;
      start += take;
      if (size === rowsMax) {
        yield piece;
        piece = [];
        size = 0;
      }
    }
  }
  if (piece.length > 0) yield piece;
}
/** Share of the budget kept in memory after a write, so the next write is not one page away. */
const KEPT_AFTER_WRITE_FRACTION = 0.5;

export class BulkLoader {
  readonly #ws = new WorkingSet(true);
  readonly #rowsMax: number;
  /** The table set's checkpoint: 0 until `finish` writes the last rows. */
  #written = 0n;
  /** Position of the last event folded into memory. */
  #applied = 0n;
  #writes = 0;
  /** Set by `finish` and by any failure (memory may then be ahead of the tables; the caller drops the set). */
  #done = false;
  /** Writes evicted rows on another thread, where the engine can (started at the first eviction). */
  #background: BackgroundWriter | undefined;
  /** True while the rows of the last background eviction are also kept in memory (`WorkingSet.leaving`). */
  #leavingHeld = false;

  constructor(
    readonly db: ReadModelDatabase,
    readonly prefix: TableSetPrefix,
    private readonly options: BulkLoaderOptions,
  ) {
    this.#rowsMax = options.rowsInMemoryMax ?? DEFAULT_ROWS_IN_MEMORY_MAX;
    this.#ws.appendWriteOnceRows();
    // A synchronous engine looks a dropped row up when a handler misses it; others name the rows
    // of each page beforehand and load them in bulk.
    const loadRowSync = db.loadRowSync;
    if (loadRowSync !== undefined) {
      this.#ws.loadDroppedWith((table, parts) => loadRowSync(prefix, table, parts));
    }
    if (!Number.isSafeInteger(this.#rowsMax) || this.#rowsMax < 1) {
      throw new Error(`rowsInMemoryMax must be a positive whole number, got ${this.#rowsMax}`);
    }
  }

  /** Creates the (empty) table set without secondary indexes; refuses a set that holds anything. */
  async open(): Promise<void> {
    await this.db.ensureTableSet(this.prefix, { secondaryIndexes: false });
    const checkpoint = await this.db.readCheckpoint(this.prefix);
    if (checkpoint !== 0n) {
      throw new Error(`bulk load into ${this.prefix}, which is not empty (checkpoint ${checkpoint})`);
    }
  }

  /** Position of the last event folded in (written or not). */
  get position(): bigint {
    return this.#applied;
  }

  /** How many times rows were written so far (1 after `finish` when everything fitted in memory). */
  get writes(): number {
    return this.#writes;
  }

  /** Folds `events` (strictly increasing positions, after every earlier call) into memory. */
  async apply(events: readonly EventPayload[]): Promise<void> {
    this.#assertUsable();
    try {
      await this.#apply(events);
    } catch (error) {
      this.#done = true;
      throw error;
    }
  }

  /** Writes what is still in memory with the checkpoint; returns the position the set now holds. */
  async finish(): Promise<bigint> {
    this.#assertUsable();
    this.#done = true;
    try {
      await this.#background?.settled();
    } finally {
      await this.close();
    }
    await this.#write(this.#ws.takeChanges(), this.#applied);
    return this.#applied;
  }

  /**
   * Stops the background writer, if one runs, once its last commit ended (successfully or not).
   * The caller closes a loader that failed before it drops the table set. Never throws.
   */
  async close(): Promise<void> {
    await this.#background?.close();
    this.#background = undefined;
  }

  #assertUsable(): void {
    if (this.#done) throw new Error(`bulk load into ${this.prefix} already failed or finished`);
  }

  async #apply(events: readonly EventPayload[]): Promise<void> {
    const rules = this.options.rules;
    let previous = this.#applied;
    for (const event of events) {
      if (event.position <= previous) {
        throw new Error(`events out of order: ${event.position} after ${previous}`);
      }
      previous = event.position;
    }
    // While every table is complete (nothing dropped yet), a miss means "no such row": no lookups.
    if (this.#ws.needsLookups()) {
      for (const event of events) wantRows(event, this.#ws, rules);
      await this.#ws.prefetch((table, keys) => this.db.loadRows(this.prefix, table, keys));
    }
    const background = this.#background;
    if (background !== undefined) {
      background.pump();
      // Once the last eviction's rows are committed the table set holds them: stop keeping them
      // in memory too, rather than until the next eviction (~100,000 rows of heap for most of
      // the fold otherwise).
      if (this.#leavingHeld && background.idle()) {
        this.#ws.forgetLeaving();
        this.#leavingHeld = false;
      }
    }
    for (const event of events) applyEvent(event, this.#ws, rules);
    this.#applied = previous;
    if (this.#ws.rowCount() > this.#rowsMax) await this.#evict();
  }

  /**
   * Writes the coldest rows and drops them from memory; the checkpoint stays 0 until `finish`.
   * Where the engine offers a background writer, they are written on its thread in commits of
   * BACKGROUND_COMMIT_ROWS while the fold goes on. Until the next eviction they stay findable in
   * memory (`WorkingSet.leaving`), so the fold never waits for a write; by then they are written.
   */
  async #evict(): Promise<void> {
    const keep = Math.floor(this.#rowsMax * KEPT_AFTER_WRITE_FRACTION);
    const start = this.options.backgroundWrites === false ? undefined : this.db.startBackgroundWriter;
    if (start === undefined) {
      await this.#write(this.#ws.takeColdest(keep), 0n);
      return;
    }
    // The previous eviction first: one in flight bounds memory, and its failure surfaces here.
    await this.#background?.settled();
    this.#ws.forgetLeaving();
    const cold = this.#ws.takeColdest(keep, { keepLeaving: true });
    this.#leavingHeld = true;
    this.#background ??= start();
    const insertOnly = this.#writes === 0;
    for (const piece of pieces(cold, BACKGROUND_COMMIT_ROWS)) {
      this.#background.post(this.prefix, piece, this.#written, 0n, { insertOnly });
    }
    this.#writes += 1;
  }

  /** The first write into the empty tables is plain INSERTs; later ones may meet rows written before. */
  async #write(changes: readonly TableChanges[], checkpoint: bigint): Promise<void> {
    const insertOnly = this.#writes === 0;
    const sorted = changes.map(({ table, rows }) => ({ table, rows: sortByKey(table, [...rows]) }));
    await this.db.commit(this.prefix, sorted, this.#written, checkpoint, { insertOnly });
    this.#written = checkpoint;
    this.#writes += 1;
  }
}
