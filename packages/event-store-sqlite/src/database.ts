/**
 * Opening the SQLite database: durability pragmas on every open, and the schema.
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { packHash, packId, packTime } from './stored-forms.js';

/** `PRAGMA synchronous` value for FULL: fsync the WAL on every commit. */
export const SYNCHRONOUS_FULL = 2;

/**
 * Bumped whenever the schema below changes; stored in `PRAGMA user_version`. Version 2 added
 * `idempotency_claims`; a version-1 file is migrated on open (the table is created empty: claims
 * made before it are events of their `idempotency-*` streams, which readers still honour).
 * Version 3 keyed `idempotency_claims` by position (`MIGRATE_CLAIMS_FROM_V2`). Version 4 stores
 * events densely: streams by an integer id, ids, hashes and times in their binary forms
 * (`migrateEventsToV4`); every older file is migrated on open.
 */
const SCHEMA_VERSION = 4;

/** Versions this code opens, migrating them to `SCHEMA_VERSION`; 0 is a new, empty file. */
const OPENABLE_SCHEMA_VERSIONS: readonly unknown[] = [0, 1, 2, 3, SCHEMA_VERSION];

/**
 * The global position is the events table's INTEGER PRIMARY KEY (the rowid): one writer at a
 * time (BEGIN IMMEDIATE) appends at max + 1, so positions grow in commit order and a reader never
 * sees a later position before an earlier one. `streams` gives each stream a small integer id
 * (its rowid) and holds its head, so that an append checks its expected revision and chains its
 * hash with one indexed lookup; an event row and its `(stream_id, revision)` index entry carry
 * the id (one or two bytes) instead of the name (about 45 bytes in the ledger's streams).
 * Ids, hashes and recorded times are stored in their dense forms (stored-forms.ts: 16, 32 and 6
 * bytes where their text took 36, 64 and 24), in `ANY` columns so that a value that has no dense
 * form keeps its text. Together about 170 bytes less per event, index entries included.
 * `idempotency_claims` holds one row per claimed idempotency key, written in the append's
 * transaction, so that neither a claim nor a repeat needs an event or a stream of its own. It is
 * keyed by the position where the claiming append ended (its stream and revision are that event's
 * row, not copied here): new claims land at the end of the table, in the pages the batch's events
 * dirty anyway, and only the small index on the key hash's first 8 bytes takes a random place
 * (about 20 bytes an entry where a table keyed by the hash moved ~110-byte rows to random pages).
 * The hashes are 32-byte blobs; a lookup compares the full key hash after the prefix matches.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS streams (
  stream_id INTEGER PRIMARY KEY,
  stream_name TEXT NOT NULL UNIQUE,
  head_revision INTEGER NOT NULL,
  head_hash ANY NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY,
  stream_id INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  id ANY NOT NULL UNIQUE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  recorded_at ANY NOT NULL,
  hash ANY NOT NULL,
  UNIQUE (stream_id, revision)
) STRICT;
CREATE TABLE IF NOT EXISTS idempotency_claims (
  position INTEGER PRIMARY KEY,
  key_hash BLOB NOT NULL,
  request_hash BLOB NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS idempotency_claims_key_prefix ON idempotency_claims (substr(key_hash, 1, 8));
`;

/**
 * From version 2's claims table (keyed by the key hash, with the stream and revision copied) to
 * version 3's; run before `SCHEMA`, in the same transaction.
 */
const MIGRATE_CLAIMS_FROM_V2 = `
CREATE TABLE idempotency_claims_v3 (
  position INTEGER PRIMARY KEY,
  key_hash BLOB NOT NULL,
  request_hash BLOB NOT NULL
) STRICT;
INSERT INTO idempotency_claims_v3 (position, key_hash, request_hash)
  SELECT position, key_hash, request_hash FROM idempotency_claims ORDER BY position;
DROP TABLE idempotency_claims;
ALTER TABLE idempotency_claims_v3 RENAME TO idempotency_claims;
`;

/**
 * What a migration of the events to schema version 4 reports while it runs (`MigrationHooks`):
 * `start` with the number of events to copy, `progress` after a chunk once `everyEvents` more
 * events were copied or `everyMs` passed since the last report, and `finish` once every event is
 * copied and counted (the transaction commits right after).
 */
export type SchemaMigrationProgress =
  | {
      readonly phase: 'start';
      readonly fromVersion: number;
      readonly toVersion: number;
      readonly events: number;
      readonly streams: number;
    }
  | {
      readonly phase: 'progress';
      readonly fromVersion: number;
      readonly toVersion: number;
      readonly eventsDone: number;
      readonly events: number;
      readonly elapsedMs: number;
      readonly eventsPerSecond: number;
    }
  | {
      readonly phase: 'finish';
      readonly fromVersion: number;
      readonly toVersion: number;
      readonly events: number;
      readonly elapsedMs: number;
      readonly eventsPerSecond: number;
    };

export interface MigrationHooks {
  readonly onProgress?: (progress: SchemaMigrationProgress) => void;
  /** Events copied between two progress reports at most; default 100,000. */
  readonly everyEvents?: number;
  /** Milliseconds between two progress reports at most (checked after each chunk); default 2,000. */
  readonly everyMs?: number;
  /**
   * Called before an older file is migrated (not for a new one), before its transaction begins;
   * the function it returns is called once that transaction committed or rolled back. A
   * migration rewrites tables other processes may have open, so the ledger opener takes the data
   * directory's lock here; throwing refuses the open and leaves the file as it was.
   */
  readonly exclusive?: (fromVersion: number) => () => void;
}

/**
 * Events copied per INSERT … SELECT: progress is looked at between two chunks. Each chunk seeks
 * the old table by position (its rowid), so chunking costs nothing measurable over one statement.
 */
const MIGRATION_CHUNK_EVENTS = 10_000;
const DEFAULT_PROGRESS_EVERY_EVENTS = 100_000;
const DEFAULT_PROGRESS_EVERY_MS = 2000;

const eventsPerSecond = (events: number, elapsedMs: number): number =>
  Math.round(events / Math.max(elapsedMs / 1000, 1e-3));

/**
 * From the text layout of versions 1 to 3 (`events` naming its stream, ids, hashes and times as
 * text; `streams` keyed by name) to version 4's; run inside the open transaction. Positions, and
 * so the claims that point at them, stay as they were; every value reads back as the same text
 * (stored-forms.ts), so the hash chain verifies as before. A stream with events but no head row
 * (none is written without one) still gets a row, with its last event as the head. The events are
 * copied in position order, a chunk at a time, so that progress can be reported; all of it is the
 * caller's one transaction, so a crash at any point leaves the old layout as it was. The copy is
 * counted: a row lost on the way aborts the migration, which rolls back.
 */
function migrateEventsToV4(db: Database.Database, fromVersion: number, hooks: MigrationHooks): void {
  const report = hooks.onProgress ?? (() => undefined);
  const count = (table: string): number => Number(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
  const started = performance.now();
  db.function('timebank_pack_id', { deterministic: true }, (id) => packId(String(id)));
  db.function('timebank_pack_hash', { deterministic: true }, (hash) => packHash(String(hash)));
  db.function('timebank_pack_time', { deterministic: true }, (time) => packTime(String(time)));
  db.exec(`
    ALTER TABLE events RENAME TO events_v3;
    ALTER TABLE streams RENAME TO streams_v3;
    ${SCHEMA}
  `);
  const events = count('events_v3');
  const versions = { fromVersion, toVersion: SCHEMA_VERSION };
  report({ phase: 'start', ...versions, events, streams: count('streams_v3') });
  db.exec(`
    INSERT INTO streams (stream_name, head_revision, head_hash)
      SELECT stream_name, head_revision, timebank_pack_hash(head_hash) FROM streams_v3 ORDER BY stream_name;
    INSERT INTO streams (stream_name, head_revision, head_hash)
      SELECT stream_name, max(revision), timebank_pack_hash(hash) FROM events_v3
       WHERE stream_name NOT IN (SELECT stream_name FROM streams) GROUP BY stream_name;
  `);
  copyEventsToV4(db, events, hooks, (eventsDone, elapsedMs) =>
    report({
      phase: 'progress',
      ...versions,
      eventsDone,
      events,
      elapsedMs: Math.round(elapsedMs),
      eventsPerSecond: eventsPerSecond(eventsDone, elapsedMs),
    }),
  );
  const copied = count('events');
  if (copied !== events)
    throw new Error(`migration to schema version 4 copied ${copied} of ${events} events`);
  db.exec('DROP TABLE events_v3; DROP TABLE streams_v3;');
  const elapsedMs = performance.now() - started;
  report({
    phase: 'finish',
    ...versions,
    events,
    elapsedMs: Math.round(elapsedMs),
    eventsPerSecond: eventsPerSecond(events, elapsedMs),
  });
}

/**
 * Copies `events_v3` into `events` in position order, a chunk at a time, calling `progress`
 * (events copied, milliseconds since the start) after a chunk once `everyEvents` more were copied
 * or `everyMs` passed since the last call, but not after the last one (the finish says that).
 */
function copyEventsToV4(
  db: Database.Database,
  events: number,
  hooks: MigrationHooks,
  progress: (eventsDone: number, elapsedMs: number) => void,
): void {
  const everyEvents = hooks.everyEvents ?? DEFAULT_PROGRESS_EVERY_EVENTS;
  const everyMs = hooks.everyMs ?? DEFAULT_PROGRESS_EVERY_MS;
  const chunkEvents = Math.max(1, Math.min(MIGRATION_CHUNK_EVENTS, everyEvents));
  const copyChunk = db.prepare<[number | bigint, number]>(`
    INSERT INTO events (position, stream_id, revision, id, type, data, metadata, recorded_at, hash)
      SELECT e.position, s.stream_id, e.revision, timebank_pack_id(e.id), e.type, e.data, e.metadata,
             timebank_pack_time(e.recorded_at), timebank_pack_hash(e.hash)
        FROM events_v3 e JOIN streams s ON s.stream_name = e.stream_name
       WHERE e.position > ? ORDER BY e.position LIMIT ?`);
  const lastCopied = db.prepare<[], number | bigint | null>('SELECT max(position) FROM events').pluck();
  const started = performance.now();
  let done = 0;
  let reportedAt = { events: 0, ms: started };
  for (let after: number | bigint = -1; ;) {
    const copied = copyChunk.run(after, chunkEvents).changes;
    if (copied === 0) return;
    done += copied;
    after = lastCopied.get() ?? after;
    const now = performance.now();
    if (done < events && (done - reportedAt.events >= everyEvents || now - reportedAt.ms >= everyMs)) {
      progress(done, now - started);
      reportedAt = { events: done, ms: now };
    }
  }
}

export interface OpenOptions {
  /** How long a writer waits for another process's write lock, in milliseconds. */
  readonly busyTimeoutMs: number;
  /**
   * WAL size, in pages, after which a commit checkpoints the WAL into the database file
   * (`PRAGMA wal_autocheckpoint`). Default 10,000 pages (about 40 MiB at 4 KiB pages), ten times
   * SQLite's 1,000: a batch of 50 single-event appends dirties about 110 pages, so SQLite's default
   * checkpoints every ninth commit, each with its own fsync of the database file; 10,000 makes that
   * every ninetieth and copies a page changed by many commits once (measured here with strace: a
   * fifth fewer fsyncs and a seventh fewer bytes written per append).
   */
  readonly walAutocheckpointPages: number;
  /**
   * The file must already hold an event store: an empty file (0 bytes) or a database without the
   * store's schema is refused, and nothing is written to it. Default false: a missing or empty
   * file becomes a new store (a database holding other tables is refused either way).
   */
  readonly mustExist?: boolean;
  /**
   * SQLite's page cache of this connection, in KiB (`PRAGMA cache_size = -N`). Default: SQLite's
   * as built, 16,000 KiB in better-sqlite3. See `SqliteEventStoreOptions.pageCacheKib`.
   */
  readonly pageCacheKib?: number;
}

/**
 * Most bytes the WAL file keeps after a checkpoint reset it (`PRAGMA journal_size_limit`): 64 MiB,
 * above the autocheckpoint size so that the file is reused in place (overwriting is cheaper to
 * fsync than growing) and trimmed only after a long reader let it grow beyond.
 */
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Thrown for a file that is not an event store where one is required; nothing was written to it. */
export class NotAnEventStoreError extends Error {
  override readonly name = 'NotAnEventStoreError';
  readonly code = 'NOT_AN_EVENT_STORE';
}

/**
 * Schema version 0 is a file no store ever stamped: a new one (empty), or another program's
 * database. A store stamps its version in the transaction that creates its tables, so a version-0
 * file with tables is never one of ours (until this release `pnpm ledger verify` turned such a
 * file into an empty store and said OK).
 */
function refuseIfNotAStore(db: Database.Database, path: string, mustExist: boolean): void {
  if (db.pragma('user_version', { simple: true }) !== 0) return;
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 3")
    .all();
  if (tables.length > 0) {
    throw new NotAnEventStoreError(
      `${path} is a SQLite database of something else (tables ${tables.map((table) => table.name).join(', ')}), not an event store; nothing was written to it`,
    );
  }
  if (mustExist) {
    throw new NotAnEventStoreError(
      `${path} holds no event store (${statSync(path).size} bytes); nothing was written to it`,
    );
  }
}

/**
 * Opens (creating if needed) an event store database with WAL and `synchronous=FULL`.
 * better-sqlite3 (like SQLite itself) does not persist `synchronous`: a reopened WAL database
 * runs at the connection default, so it is set here on every open and read back to be sure.
 * An older schema is migrated here, in one transaction; `migration` hears how that goes.
 */
export function openDatabase(
  path: string,
  options: OpenOptions,
  migration: MigrationHooks = {},
): Database.Database {
  for (const [name, value] of Object.entries(options)) {
    if (name === 'mustExist') continue;
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw new RangeError(`SQLite option ${name} must be a non-negative integer, got ${String(value)}`);
    }
  }
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    // Before anything is written (switching to WAL rewrites the file's header): a file that holds
    // another program's database, or nothing when a store is required, is never made a store.
    refuseIfNotAStore(db, path, options.mustExist === true);
    const journalMode = db.pragma('journal_mode = WAL', { simple: true });
    if (journalMode !== 'wal')
      throw new Error(`SQLite at ${path} refused WAL mode (got ${String(journalMode)})`);
    db.pragma('synchronous = FULL');
    db.pragma(`wal_autocheckpoint = ${options.walAutocheckpointPages}`);
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
    if (options.pageCacheKib !== undefined) db.pragma(`cache_size = -${options.pageCacheKib}`);
    const synchronous = db.pragma('synchronous', { simple: true });
    if (synchronous !== SYNCHRONOUS_FULL) {
      throw new Error(`SQLite at ${path} runs at synchronous=${String(synchronous)}, not FULL`);
    }
    const version = db.pragma('user_version', { simple: true });
    if (!OPENABLE_SCHEMA_VERSIONS.includes(version)) {
      throw new Error(
        `SQLite at ${path} has schema version ${String(version)}; this code knows ${SCHEMA_VERSION}`,
      );
    }
    const release =
      version === 0 || version === SCHEMA_VERSION ? undefined : migration.exclusive?.(version as number);
    try {
      // Creating what is missing and stamping the version commit together: a crash leaves either.
      db.transaction(() => {
        if (version === 2) db.exec(MIGRATE_CLAIMS_FROM_V2);
        if (version === 1 || version === 2 || version === 3) migrateEventsToV4(db, version, migration);
        db.exec(SCHEMA);
        // Stamped only when it changes: setting it rewrites the file's first page even to the same
        // value, and an auditor's verify of a current store must leave its files byte for byte.
        if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }).immediate();
    } finally {
      release?.();
    }
    db.defaultSafeIntegers(true);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
