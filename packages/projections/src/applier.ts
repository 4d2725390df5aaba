/**
 * Applies batches of events to one table set: load the rows the batch needs, apply every event in
 * memory, then write the changed rows and the new checkpoint in one transaction. A crash leaves
 * both or neither; events at or below the checkpoint are skipped, so applying one twice is harmless.
 */
import type { RecordedEvent } from '@timebank/event-store';
import type { ReadModelDatabase } from './dialect/dialect.js';
import { ProjectionError, isProjectionError } from './errors.js';
import { applyEvent, wantRows, type ProjectionRules } from './handlers/index.js';
import type { TableSetPrefix } from './tables.js';
import { WorkingSet } from './working-set.js';

export interface ApplierOptions {
  readonly rules: ProjectionRules;
  /**
   * Clean rows kept in memory between batches, per table, in rows. Default 20,000: seven tables
   * of about 0.5 KiB rows stay under 100 MB, inside the rebuild's 300 MB RSS target (docs/projections.md), while
   * a batch's hot volunteers and records stay cached.
   */
  readonly cachedRowsPerTableMax?: number;
  /**
   * The caller just created this table set empty (rebuild, verify): every row is then in memory
   * until the first eviction, and misses need no lookup.
   */
  readonly freshTableSet?: boolean;
}

export const DEFAULT_CACHED_ROWS_PER_TABLE_MAX = 20_000;

export class BatchApplier {
  readonly #ws: WorkingSet;
  #position = -1n;
  readonly #cachedRowsMax: number;

  constructor(
    readonly db: ReadModelDatabase,
    readonly prefix: TableSetPrefix,
    private readonly options: ApplierOptions,
  ) {
    this.#cachedRowsMax = options.cachedRowsPerTableMax ?? DEFAULT_CACHED_ROWS_PER_TABLE_MAX;
    this.#ws = new WorkingSet(options.freshTableSet === true);
    if (!Number.isSafeInteger(this.#cachedRowsMax) || this.#cachedRowsMax < 0) {
      throw new Error(`cachedRowsPerTableMax must be a whole number, got ${this.#cachedRowsMax}`);
    }
  }

  /** Creates the table set if needed and reads its checkpoint; call before the first batch. */
  async open(options: { readonly secondaryIndexes?: boolean } = {}): Promise<bigint> {
    await this.db.ensureTableSet(this.prefix, options);
    this.#position = await this.db.readCheckpoint(this.prefix);
    if (this.options.freshTableSet === true && this.#position !== 0n) {
      throw new Error(`table set ${this.prefix} was declared fresh but is at position ${this.#position}`);
    }
    return this.#position;
  }

  /** Forgets cached rows and re-reads the checkpoint, e.g. after a checkpoint conflict. */
  async reload(): Promise<bigint> {
    this.#ws.clear();
    this.#position = await this.db.readCheckpoint(this.prefix);
    return this.#position;
  }

  /** Global position of the last event applied and committed. */
  get position(): bigint {
    if (this.#position < 0n) throw new Error('BatchApplier used before open()');
    return this.#position;
  }

  /**
   * Applies the events after the checkpoint, in position order, and commits. Returns how many
   * were new. On any error nothing is committed and the cache is dropped.
   */
  async applyBatch(events: readonly RecordedEvent[]): Promise<number> {
    const from = this.position;
    const fresh = events.filter((event) => event.position > from);
    if (fresh.length === 0) return 0;
    const rules = this.options.rules;
    let previous = from;
    for (const event of fresh) {
      if (event.position <= previous) {
        throw new Error(`events out of order: ${event.position} after ${previous}`);
      }
      previous = event.position;
      wantRows(event, this.#ws, rules);
    }
    try {
      await this.#ws.prefetch((table, keys) => this.db.loadRows(this.prefix, table, keys));
      for (const event of fresh) applyEvent(event, this.#ws, rules);
      await this.db.commit(this.prefix, this.#ws.takeChanges(), from, previous);
    } catch (error) {
      this.#ws.clear();
      // Rows loaded after another writer moved the checkpoint look like a contradictory history;
      // it is a conflict, not corruption, and must not stop the projector for good.
      if (isProjectionError(error, 'PROJECTION_CORRUPT_HISTORY')) {
        const stored = await this.db.readCheckpoint(this.prefix);
        if (stored !== from) {
          throw new ProjectionError(
            'PROJECTION_CHECKPOINT_CONFLICT',
            `checkpoint of ${this.prefix} moved from ${from} to ${stored} under this applier`,
          );
        }
      }
      throw error;
    }
    this.#position = previous;
    this.#ws.evict(this.#cachedRowsMax);
    return fresh.length;
  }
}
