/**
 * The thin engine layer under the read models. The projection handlers work on rows in memory;
 * a dialect only loads rows by key, upserts changed rows together with the checkpoint in one
 * transaction, manages table sets and runs read queries. SQLite and PostgreSQL implement it.
 */
import type { Row, TableSetPrefix, TableSpec } from '../tables.js';
import type { BackgroundWriter } from './sqlite-background-writer.js';

export interface ReadModelDatabase {
  readonly engine: 'sqlite' | 'postgres';
  /**
   * Creates the table set (tables, checkpoint at 0, the schema fingerprint and, unless `secondaryIndexes` is false,
   * secondary indexes) unless it exists. A bulk replay into a fresh set defers its indexes:
   * building them once over the finished tables is much cheaper than maintaining them per row.
   */
  ensureTableSet(prefix: TableSetPrefix, options?: { readonly secondaryIndexes?: boolean }): Promise<void>;
  /**
   * Creates the secondary indexes of a set created without them, one table at a time, awaiting
   * `beforeTable` before each: a rebuild stops there on Ctrl-C (it throws), since building the
   * indexes of a large ledger takes seconds in which SQLite never lets the event loop run.
   */
  createSecondaryIndexes(
    prefix: TableSetPrefix,
    options?: { readonly beforeTable?: () => Promise<void> },
  ): Promise<void>;
  /** Drops every table of the set; missing tables are fine. */
  dropTableSet(prefix: TableSetPrefix): Promise<void>;
  /** Rows of `table` whose key is one of `keys` (each key a list of its parts, in key order). */
  loadRows(prefix: TableSetPrefix, table: TableSpec, keys: readonly (readonly string[])[]): Promise<Row[]>;
  /**
   * The row of `table` with key `key` (its parts, in key order), read synchronously; only on an
   * engine whose driver is synchronous (SQLite). A bulk load then looks up a key it dropped at
   * the moment a handler misses it, instead of having every event name its rows beforehand.
   */
  readonly loadRowSync?: (
    prefix: TableSetPrefix,
    table: TableSpec,
    key: readonly string[],
  ) => Row | undefined;
  /**
   * The schema fingerprint the set was created with: undefined when the set does not exist, null
   * when it exists but predates fingerprints (no schema table). See READ_MODEL_SCHEMA_FINGERPRINT.
   */
  readSchemaFingerprint(prefix: TableSetPrefix): Promise<string | null | undefined>;
  /** The set's checkpoint: global position of the last event applied (0n when none). */
  readCheckpoint(prefix: TableSetPrefix): Promise<bigint>;
  /**
   * Upserts `changes` and moves the checkpoint from `from` to `to`, all in one transaction.
   * Throws PROJECTION_CHECKPOINT_CONFLICT (and writes nothing) when the stored checkpoint is not
   * `from`: another projector or a rebuild swap got there first.
   */
  commit(
    prefix: TableSetPrefix,
    changes: readonly TableChanges[],
    from: bigint,
    to: bigint,
    options?: CommitOptions,
  ): Promise<void>;
  /**
   * Engines that can write on another thread while this one folds (SQLite: a worker with its own
   * connection) start such a writer for a bulk load's evictions. While it runs, every other call
   * on this database except `loadRowSync` first waits for the commits it was sent (the loader
   * keeps the rows of the commit in flight in memory); close it before the swap.
   */
  readonly startBackgroundWriter?: () => BackgroundWriter;
  /**
   * Takes the lock that lets one rebuild at a time use the rebuild table set, across processes
   * (a second rebuild would drop the first one's half-built tables under it), or says who holds
   * it. Absent where no other process can reach the database (SQLite in memory).
   */
  readonly lockRebuild?: () => Promise<RebuildLock>;
  /** Replaces the `target` set by the `source` set (rename) in one transaction. */
  swapTableSet(source: TableSetPrefix, target: TableSetPrefix): Promise<void>;
  /** A read query with `?` placeholders; numbers come back as JS numbers on both engines. */
  query(sql: string, params?: readonly (string | number)[]): Promise<Row[]>;
  close(): Promise<void>;
}

export interface TableChanges {
  readonly table: TableSpec;
  readonly rows: readonly Row[];
}

export interface CommitOptions {
  /**
   * Every row is new (a bulk load into a table set that was created empty and never written):
   * plain multi-row INSERTs, no conflict handling. A row that exists anyway fails the commit
   * with the engine's unique-key error, so a wrong claim cannot silently merge rows.
   */
  readonly insertOnly?: boolean;
}

export const CHECKPOINT_TABLE = 'checkpoint';
/** One row, one column: the READ_MODEL_SCHEMA_FINGERPRINT of the code that created the set. */
export const SCHEMA_TABLE = 'schema';

/** Prefixes are constants of this package, but they end up in SQL: check them anyway. */
export function assertPrefix(prefix: string): void {
  if (!/^[a-z]{2}_$/.test(prefix)) throw new Error(`invalid table-set prefix ${JSON.stringify(prefix)}`);
}

/** `INSERT … ON CONFLICT (key) DO UPDATE SET every non-key column`: the same text on both engines. */
export function upsertTail(table: TableSpec): string {
  const updates = Object.keys(table.columns)
    .filter((column) => !table.key.includes(column) && !table.fixed.includes(column))
    .map((column) => `${column} = excluded.${column}`);
  return `ON CONFLICT (${table.key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}

/** Index and constraint names carry a per-creation suffix, so a renamed set never collides with a new one. */
export function generationSuffix(): string {
  return Math.floor(Math.random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0');
}

/** `ReadModelDatabase.lockRebuild`'s answer: held (release it when the rebuild ends) or refused. */
export type RebuildLock =
  { readonly held: true; release(): Promise<void> } | { readonly held: false; readonly holder: string };
