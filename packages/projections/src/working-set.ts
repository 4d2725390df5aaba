/**
 * The rows a batch of events touches, held in memory. A batch runs in three steps: the handlers
 * name the keys they will need (`want`), the applier loads the missing ones in bulk, then the
 * handlers apply every event synchronously to these rows, and the changed rows are written back
 * in one transaction with the checkpoint. No await per event, and each row is written once per
 * batch however many events touched it.
 *
 * Rows stay cached after their commit (the projector is the only writer of its table set, and a
 * checkpoint conflict clears the cache), bounded in rows by evicting the oldest entries.
 */
import type { TableChanges } from './dialect/dialect.js';
import { KEY_SEPARATOR, tableSpec, type Row, type TableName, type TableSpec } from './tables.js';

export class TableCache {
  readonly rows = new Map<string, Row>();
  readonly dirty = new Set<string>();
  /** Keys to load before the batch is applied, with their parts. */
  readonly wanted = new Map<string, string[]>();
  /**
   * True while every stored row is also in memory: the table started empty in this process and
   * nothing was evicted yet. A miss then means "no such row" and needs no lookup.
   */
  complete: boolean;

  constructor(
    readonly spec: TableSpec,
    startsEmpty: boolean,
  ) {
    this.complete = startsEmpty;
  }

  want(key: string, parts: string[]): void {
    if (!this.complete && !this.rows.has(key)) this.wanted.set(key, parts);
  }

  get(key: string): Row | undefined {
    return this.rows.get(key);
  }

  /** Adds a new row (or replaces one) and marks it for writing. */
  put(key: string, row: Row): Row {
    this.rows.set(key, row);
    this.dirty.add(key);
    return row;
  }

  /** Marks a row that a handler changed in place. */
  touch(key: string): void {
    this.dirty.add(key);
  }
}

export const joinKey = (first: string, second: string): string => first + KEY_SEPARATOR + second;

export class WorkingSet {
  readonly volunteers: TableCache;
  readonly records: TableCache;
  readonly holds: TableCache;
  readonly settlements: TableCache;
  readonly partners: TableCache;
  readonly policies: TableCache;
  readonly accounts: TableCache;
  readonly tables: readonly TableCache[];

  /** `startsEmpty`: the table set was just created (rebuild, verify, as-of), so misses need no lookup. */
  constructor(startsEmpty = false) {
    const cache = (name: TableName): TableCache => new TableCache(tableSpec(name), startsEmpty);
    this.volunteers = cache('volunteer_summary');
    this.records = cache('service_record');
    this.holds = cache('points_hold');
    this.settlements = cache('partner_settlement');
    this.partners = cache('partner');
    this.policies = cache('points_policy');
    this.accounts = cache('account_balance');
    this.tables = [
      this.volunteers,
      this.records,
      this.holds,
      this.settlements,
      this.partners,
      this.policies,
      this.accounts,
    ];
  }

  table(name: TableName): TableCache {
    const cache = this.tables.find((table) => table.spec.name === name);
    if (cache === undefined) throw new Error(`no cache for table ${name}`);
    return cache;
  }

  /** Loads every wanted key through `load` and clears the wish lists. */
  async prefetch(
    load: (table: TableSpec, keys: readonly (readonly string[])[]) => Promise<Row[]>,
  ): Promise<void> {
    for (const cache of this.tables) {
      if (cache.wanted.size === 0) continue;
      const rows = await load(cache.spec, [...cache.wanted.values()]);
      for (const row of rows) {
        const key = cache.spec.key.map((column) => String(row[column])).join(KEY_SEPARATOR);
        // A row already in memory is newer than the stored one (it may be dirty): keep it.
        if (!cache.rows.has(key)) cache.rows.set(key, row);
      }
      cache.wanted.clear();
    }
  }

  /** The rows changed since the last call; clears the dirty marks. */
  takeChanges(): TableChanges[] {
    const changes: TableChanges[] = [];
    for (const cache of this.tables) {
      if (cache.dirty.size === 0) continue;
      const rows: Row[] = [];
      for (const key of cache.dirty) {
        const row = cache.rows.get(key);
        if (row === undefined) throw new Error(`dirty row ${key} of ${cache.spec.name} is not cached`);
        rows.push(row);
      }
      cache.dirty.clear();
      changes.push({ table: cache.spec, rows });
    }
    return changes;
  }

  /** Forgets everything: after a failed commit the cache may be ahead of the database. */
  clear(): void {
    for (const cache of this.tables) {
      cache.complete = false;
      cache.rows.clear();
      cache.dirty.clear();
      cache.wanted.clear();
    }
  }

  /** Drops the oldest clean rows of each table beyond `rowsPerTableMax`. */
  evict(rowsPerTableMax: number): void {
    for (const cache of this.tables) {
      if (cache.rows.size <= rowsPerTableMax) continue;
      cache.complete = false;
      let excess = cache.rows.size - rowsPerTableMax;
      for (const key of cache.rows.keys()) {
        if (excess === 0) break;
        if (cache.dirty.has(key)) continue;
        cache.rows.delete(key);
        excess -= 1;
      }
    }
  }
}
