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
import { KeyFilter } from './key-filter.js';
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
  /**
   * True while no row of this table was written yet (it started empty in this process): every
   * cached row is then unwritten, so `put` and `touch` skip the dirty set (a bulk replay would
   * otherwise add a key to it for nearly every event) and `takeChanges` takes all rows.
   */
  allDirty: boolean;

  constructor(
    readonly spec: TableSpec,
    startsEmpty: boolean,
  ) {
    this.complete = startsEmpty;
    this.allDirty = startsEmpty;
  }

  /**
   * While `complete`: the keys of rows that were written and then dropped from memory (a bounded
   * rebuild). A miss the filter may contain needs a lookup; any other miss is a row that does not
   * exist yet.
   */
  readonly dropped = new KeyFilter();

  want(key: string, parts: string[]): void {
    if (this.appended !== undefined) this.#refuseWriteOnce('want');
    if (this.complete && this.dropped.added === 0) return;
    if (this.rows.has(key)) return;
    if (this.complete && !this.dropped.mightContain(key)) return;
    this.wanted.set(key, parts);
  }

  /**
   * Set by a bulk load whose engine reads synchronously (`WorkingSet.loadDroppedWith`): called on
   * a miss that the `dropped` filter may contain, with the key's parts, instead of naming the
   * rows of every event beforehand (`want`) and loading them per page.
   */
  loadDropped: ((parts: readonly string[]) => Row | undefined) | undefined;

  /**
   * Set by `WorkingSet.appendWriteOnceRows` (a bulk load): the rows of a table whose handlers only
   * ever add a row under a key no earlier event used (facts keyed by the event's position), in the
   * order they were put. A list instead of the map: on the benchmark's ledger these are most of
   * the rows, and hashing, evicting and filtering their keys cost ~7% of a rebuild. `get`, `want`
   * and `touch` refuse such a table: nothing reads it back.
   */
  appended: Row[] | undefined;

  /**
   * Set by `takeColdest(…, { keepLeaving: true })`: the rows it took, by key, while another thread
   * may still be writing them. A miss finds them here before it looks in the table set, which
   * holds every row taken earlier, so the fold never waits for that thread. Cleared by
   * `forgetLeaving`.
   */
  leaving: Map<string, Row> | undefined;

  /** Rows held in memory. */
  get size(): number {
    return this.rows.size + (this.appended?.length ?? 0);
  }

  #refuseWriteOnce(what: string): never {
    throw new Error(`${what} on ${this.spec.name}, whose rows are only appended in this load`);
  }

  get(key: string): Row | undefined {
    if (this.appended !== undefined) this.#refuseWriteOnce('get');
    const row = this.rows.get(key);
    if (row !== undefined || this.loadDropped === undefined) return row;
    if (!this.complete || !this.dropped.mightContain(key)) return undefined;
    const stored = this.leaving?.get(key) ?? this.loadDropped(key.split(KEY_SEPARATOR));
    if (stored !== undefined) this.rows.set(key, stored);
    return stored;
  }

  /** Adds a new row (or replaces one) and marks it for writing. */
  put(key: string, row: Row): Row {
    if (this.appended !== undefined) {
      this.appended.push(row);
      return row;
    }
    this.rows.set(key, row);
    if (!this.allDirty) this.dirty.add(key);
    return row;
  }

  /** Marks a row that a handler changed in place. */
  touch(key: string): void {
    if (this.appended !== undefined) this.#refuseWriteOnce('touch');
    if (!this.allDirty) this.dirty.add(key);
  }
}

export const joinKey = (first: string, second: string): string => first + KEY_SEPARATOR + second;

export class WorkingSet {
  readonly volunteers: TableCache;
  readonly records: TableCache;
  readonly holds: TableCache;
  readonly settlements: TableCache;
  readonly partners: TableCache;
  readonly organisations: TableCache;
  readonly policies: TableCache;
  readonly accounts: TableCache;
  readonly dueItems: TableCache;
  readonly communityFacts: TableCache;
  readonly adminUnits: TableCache;
  readonly adminLinks: TableCache;
  readonly disputes: TableCache;
  readonly certificates: TableCache;
  readonly projectFacts: TableCache;
  readonly tables: readonly TableCache[];

  /** `startsEmpty`: the table set was just created (rebuild, verify, as-of), so misses need no lookup. */
  constructor(startsEmpty = false) {
    const cache = (name: TableName): TableCache => new TableCache(tableSpec(name), startsEmpty);
    this.volunteers = cache('volunteer_summary');
    this.records = cache('service_record');
    this.holds = cache('points_hold');
    this.settlements = cache('partner_settlement');
    this.partners = cache('partner');
    this.organisations = cache('organisation');
    this.policies = cache('points_policy');
    this.accounts = cache('account_balance');
    this.dueItems = cache('due_item');
    this.communityFacts = cache('community_fact');
    this.adminUnits = cache('admin_unit');
    this.adminLinks = cache('admin_link');
    this.disputes = cache('dispute');
    this.certificates = cache('certificate');
    this.projectFacts = cache('project_fact');
    this.tables = [
      this.volunteers,
      this.records,
      this.holds,
      this.settlements,
      this.partners,
      this.organisations,
      this.policies,
      this.accounts,
      this.dueItems,
      this.communityFacts,
      this.adminUnits,
      this.adminLinks,
      this.disputes,
      this.certificates,
      this.projectFacts,
    ];
  }

  table(name: TableName): TableCache {
    const cache = this.tables.find((table) => table.spec.name === name);
    if (cache === undefined) throw new Error(`no cache for table ${name}`);
    return cache;
  }

  /**
   * For a bulk replay into a set that started empty, on an engine that reads synchronously:
   * from now on a miss on a key some table dropped is looked up through `load` at once, so
   * `needsLookups` stays false and no event has to name its rows beforehand.
   */
  loadDroppedWith(load: (table: TableSpec, parts: readonly string[]) => Row | undefined): void {
    for (const cache of this.tables) {
      if (!cache.complete)
        throw new Error(`loadDroppedWith on ${cache.spec.name}, which did not start empty`);
      cache.loadDropped = (parts) => load(cache.spec, parts);
    }
  }

  /**
   * For a bulk replay into a set that started empty: the fact tables (`community_fact`,
   * `project_fact`), whose handlers put each key once (it holds the event's position, and
   * positions only grow) and never read a row back, keep their rows in a list (`appended`).
   */
  appendWriteOnceRows(): void {
    for (const cache of [this.communityFacts, this.projectFacts]) {
      if (!cache.allDirty || cache.rows.size > 0)
        throw new Error(`appendWriteOnceRows on ${cache.spec.name}, which did not start empty`);
      cache.appended = [];
    }
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
      if (cache.appended !== undefined) {
        cache.allDirty = false;
        if (cache.appended.length > 0) changes.push({ table: cache.spec, rows: cache.appended });
        cache.appended = [];
        continue;
      }
      if (cache.allDirty) {
        cache.allDirty = false;
        if (cache.rows.size > 0) changes.push({ table: cache.spec, rows: [...cache.rows.values()] });
        continue;
      }
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
      cache.allDirty = false;
      cache.rows.clear();
      cache.appended = undefined;
      cache.dropped.clear();
      cache.dirty.clear();
      cache.wanted.clear();
    }
  }

  /** True when some miss may be a stored row, so the rows a batch needs must be named and loaded first. */
  needsLookups(): boolean {
    return this.tables.some(
      (cache) => !cache.complete || (cache.dropped.added > 0 && cache.loadDropped === undefined),
    );
  }

  /** Rows held in memory, all tables together. */
  rowCount(): number {
    let rows = 0;
    for (const cache of this.tables) rows += cache.size;
    return rows;
  }

  /**
   * For a bulk replay, where every cached row is unwritten (`allDirty`): takes rows out of memory
   * until at most `rowsMax` stay, all tables together, and returns them for writing. Tables of a
   * lower `evictionRank` go first (each table of one rank gives up the same share), oldest rows
   * first within a table. Their keys go into the table's `dropped` filter, so a miss on any other
   * key still needs no lookup. With `keepLeaving`, each table also keeps the rows it gave up in
   * `leaving` (replacing the last ones), for a caller that writes them in the background.
   */
  takeColdest(rowsMax: number, options: { readonly keepLeaving?: boolean } = {}): TableChanges[] {
    const changes: TableChanges[] = [];
    let excess = this.rowCount() - rowsMax;
    const ranks = [...new Set(this.tables.map((cache) => cache.spec.evictionRank))].sort((a, b) => a - b);
    for (const rank of ranks) {
      if (excess <= 0) break;
      const group = this.tables.filter((cache) => cache.spec.evictionRank === rank);
      const groupRows = group.reduce((sum, cache) => sum + cache.size, 0);
      for (const cache of groupRows === 0 ? [] : group) {
        if (!cache.allDirty) throw new Error(`takeColdest on ${cache.spec.name}, which tracks dirty rows`);
        const count = Math.min(cache.size, Math.ceil((cache.size * excess) / groupRows));
        if (cache.appended !== undefined) {
          // Never read back, so their keys need no `dropped` filter.
          if (count > 0) changes.push({ table: cache.spec, rows: cache.appended.splice(0, count) });
          continue;
        }
        const rows: Row[] = [];
        const leaving = options.keepLeaving === true ? new Map<string, Row>() : undefined;
        for (const [key, row] of cache.rows) {
          if (rows.length === count) break;
          leaving?.set(key, row);
          rows.push(row);
          cache.rows.delete(key);
          if (cache.complete) cache.dropped.add(key);
        }
        if (leaving !== undefined) cache.leaving = leaving;
        if (rows.length > 0) changes.push({ table: cache.spec, rows });
      }
      excess -= groupRows - group.reduce((sum, cache) => sum + cache.size, 0);
    }
    return changes;
  }

  /** Drops the rows `takeColdest` kept in `leaving`: they are now in the table set. */
  forgetLeaving(): void {
    for (const cache of this.tables) cache.leaving = undefined;
  }

  /** Drops the oldest clean rows of each table beyond `rowsPerTableMax`. */
  evict(rowsPerTableMax: number): void {
    for (const cache of this.tables) {
      if (cache.rows.size <= rowsPerTableMax) continue;
      // Unwritten rows are never dropped: the caller takes the changes first.
      if (cache.allDirty) throw new Error(`evicting from ${cache.spec.name} before its rows were written`);
      cache.complete = false;
      cache.dropped.clear();
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
