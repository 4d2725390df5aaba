/**
 * Opening the SQLite database: durability pragmas on every open, and the schema.
 */
import Database from 'better-sqlite3';

/** `PRAGMA synchronous` value for FULL: fsync the WAL on every commit. */
export const SYNCHRONOUS_FULL = 2;

/**
 * Bumped whenever the schema below changes; stored in `PRAGMA user_version`. Version 2 added
 * `idempotency_claims`; a version-1 file is migrated on open (the table is created empty: claims
 * made before it are events of their `idempotency-*` streams, which readers still honour).
 * Version 3 keys `idempotency_claims` by position (see below); a version-2 file's claims are
 * copied into the new layout on open (`MIGRATE_CLAIMS_FROM_V2`).
 */
const SCHEMA_VERSION = 3;

/** Versions this code opens, migrating them to `SCHEMA_VERSION`; 0 is a new, empty file. */
const OPENABLE_SCHEMA_VERSIONS: readonly unknown[] = [0, 1, 2, SCHEMA_VERSION];

/**
 * The global position is the events table's INTEGER PRIMARY KEY (the rowid): one writer at a
 * time (BEGIN IMMEDIATE) appends at max + 1, so positions grow in commit order and a reader never
 * sees a later position before an earlier one. `streams` holds each stream's head so that an
 * append checks its expected revision and chains its hash with one indexed lookup.
 * `idempotency_claims` holds one row per claimed idempotency key, written in the append's
 * transaction, so that neither a claim nor a repeat needs an event or a stream of its own. It is
 * keyed by the position where the claiming append ended (its stream and revision are that event's
 * row, not copied here): new claims land at the end of the table, in the pages the batch's events
 * dirty anyway, and only the small index on the key hash's first 8 bytes takes a random place
 * (about 20 bytes an entry where a table keyed by the hash moved ~110-byte rows to random pages).
 * The hashes are 32-byte blobs; a lookup compares the full key hash after the prefix matches.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY,
  stream_name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (stream_name, revision)
) STRICT;
CREATE TABLE IF NOT EXISTS streams (
  stream_name TEXT PRIMARY KEY,
  head_revision INTEGER NOT NULL,
  head_hash TEXT NOT NULL
) STRICT, WITHOUT ROWID;
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
}

/**
 * Most bytes the WAL file keeps after a checkpoint reset it (`PRAGMA journal_size_limit`): 64 MiB,
 * above the autocheckpoint size so that the file is reused in place (overwriting is cheaper to
 * fsync than growing) and trimmed only after a long reader let it grow beyond.
 */
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Opens (creating if needed) an event store database with WAL and `synchronous=FULL`.
 * better-sqlite3 (like SQLite itself) does not persist `synchronous`: a reopened WAL database
 * runs at the connection default, so it is set here on every open and read back to be sure.
 */
export function openDatabase(path: string, options: OpenOptions): Database.Database {
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw new RangeError(`SQLite option ${name} must be a non-negative integer, got ${String(value)}`);
    }
  }
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    const journalMode = db.pragma('journal_mode = WAL', { simple: true });
    if (journalMode !== 'wal')
      throw new Error(`SQLite at ${path} refused WAL mode (got ${String(journalMode)})`);
    db.pragma('synchronous = FULL');
    db.pragma(`wal_autocheckpoint = ${options.walAutocheckpointPages}`);
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
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
    // Creating what is missing and stamping the version commit together: a crash leaves either.
    db.transaction(() => {
      if (version === 2) db.exec(MIGRATE_CLAIMS_FROM_V2);
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
    db.defaultSafeIntegers(true);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
