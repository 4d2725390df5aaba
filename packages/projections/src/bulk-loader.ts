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
import { applyEvent, wantRows, type ProjectionRules } from './handlers/index.js';
import type { Row, TableSetPrefix, TableSpec } from './tables.js';
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
}

export const DEFAULT_ROWS_IN_MEMORY_MAX = 200_000;
/** Share of the budget kept in memory after a write, so the next write is not one page away. */
const KEPT_AFTER_WRITE_FRACTION = 0.5;

/** Orders a table's rows by primary key (byte order of each part), so inserts append to the B-tree. */
function sortByKey(table: TableSpec, rows: Row[]): Row[] {
  const [first, second] = table.key;
  if (first === undefined) throw new Error(`table ${table.name} has no key`);
  return rows.sort((a, b) => {
    const left = a[first] as string;
    const right = b[first] as string;
    if (left !== right) return left < right ? -1 : 1;
    if (second === undefined) return 0;
    const leftSecond = a[second] as string;
    const rightSecond = b[second] as string;
    return leftSecond === rightSecond ? 0 : leftSecond < rightSecond ? -1 : 1;
  });
}

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
    await this.#write(this.#ws.takeChanges(), this.#applied);
    return this.#applied;
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
    for (const event of events) applyEvent(event, this.#ws, rules);
    this.#applied = previous;
    if (this.#ws.rowCount() > this.#rowsMax) {
      // Only the rows leaving memory are written; the checkpoint stays 0 until `finish`.
      const cold = this.#ws.takeColdest(Math.floor(this.#rowsMax * KEPT_AFTER_WRITE_FRACTION));
      await this.#write(cold, 0n);
    }
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
