/**
 * The personal-data key store for the embedded engine: `personal-keys.sqlite`, a file of its own
 * beside the event store, so that destroying a key never touches the event log. better-sqlite3
 * runs each statement to completion before the next, so a claim (insert, then read) is atomic
 * within the process; across processes SQLite's write lock and the primary keys make it so.
 */
import Database from 'better-sqlite3';
import type { PersonalKeyStore, StoredDataKey, WrappedDataKey } from '@timebank/application';
import { isSqliteUnavailable, reportingUnavailable } from './key-store-unavailable.js';

interface KeyRow {
  readonly wrapped_key: Buffer | null;
  readonly erased_at: string | null;
}

/** How long a writer waits for another process's lock, in milliseconds; the event store uses the same. */
const BUSY_TIMEOUT_MS = 5_000;

function storedOf(row: KeyRow | undefined): StoredDataKey | null {
  if (row === undefined) return null;
  if (row.wrapped_key === null) return { state: 'erased', erasedAt: row.erased_at ?? '' };
  return { state: 'active', wrappedKey: row.wrapped_key };
}

function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: an erasure must be on disk before the API answers that it happened.
  db.pragma('synchronous = FULL');
  // Overwrite deleted content, so a destroyed key does not linger in free pages of the file.
  db.pragma('secure_delete = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec(`
    CREATE TABLE IF NOT EXISTS data_keys (
      volunteer_id TEXT PRIMARY KEY,
      wrapped_key BLOB,
      erased_at TEXT
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS registrations (
      national_id_hash TEXT PRIMARY KEY,
      volunteer_id TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS registrations_by_volunteer ON registrations (volunteer_id);
  `);
  return db;
}

export function openSqliteKeyStore(path: string): PersonalKeyStore {
  return reportingUnavailable(sqliteKeyStore(path), isSqliteUnavailable);
}

function sqliteKeyStore(path: string): PersonalKeyStore {
  const db = openDatabase(path);
  const selectKey = db.prepare<[string], KeyRow>(
    'SELECT wrapped_key, erased_at FROM data_keys WHERE volunteer_id = ?',
  );
  const insertKey = db.prepare('INSERT OR IGNORE INTO data_keys (volunteer_id, wrapped_key) VALUES (?, ?)');
  const eraseKey = db.prepare(
    `INSERT INTO data_keys (volunteer_id, wrapped_key, erased_at) VALUES (?, NULL, ?)
     ON CONFLICT (volunteer_id) DO UPDATE SET wrapped_key = NULL, erased_at = excluded.erased_at
     WHERE data_keys.wrapped_key IS NOT NULL`,
  );
  const deleteRegistrations = db.prepare('DELETE FROM registrations WHERE volunteer_id = ?');
  const insertRegistration = db.prepare(
    'INSERT OR IGNORE INTO registrations (national_id_hash, volunteer_id) VALUES (?, ?)',
  );
  const selectRegistration = db.prepare<[string], { volunteer_id: string }>(
    'SELECT volunteer_id FROM registrations WHERE national_id_hash = ?',
  );
  const selectActive = db.prepare<[], { volunteer_id: string; wrapped_key: Buffer }>(
    'SELECT volunteer_id, wrapped_key FROM data_keys WHERE wrapped_key IS NOT NULL ORDER BY volunteer_id',
  );
  const selectOneActive = db.prepare<[], { volunteer_id: string; wrapped_key: Buffer }>(
    'SELECT volunteer_id, wrapped_key FROM data_keys WHERE wrapped_key IS NOT NULL LIMIT 1',
  );
  const rewrap = db.prepare(
    'UPDATE data_keys SET wrapped_key = ? WHERE volunteer_id = ? AND wrapped_key IS NOT NULL',
  );

  const insertAndRead = db.transaction((volunteerId: string, wrappedKey: Buffer) => {
    insertKey.run(volunteerId, wrappedKey);
    return storedOf(selectKey.get(volunteerId))!;
  });
  const erase = db.transaction((volunteerId: string, erasedAt: string) => {
    eraseKey.run(volunteerId, erasedAt);
    deleteRegistrations.run(volunteerId);
  });
  const claim = db.transaction((nationalIdHash: string, volunteerId: string, wrappedKey: Buffer) => {
    insertRegistration.run(nationalIdHash, volunteerId);
    const owner = selectRegistration.get(nationalIdHash)!.volunteer_id;
    if (owner === volunteerId) insertKey.run(volunteerId, wrappedKey);
    return owner;
  });
  const replace = db.transaction((keys: readonly WrappedDataKey[]) => {
    for (const key of keys) rewrap.run(key.wrappedKey, key.volunteerId);
  });

  return {
    insertDataKey: async (volunteerId, wrappedKey) => insertAndRead.immediate(volunteerId, wrappedKey),
    dataKey: async (volunteerId) => storedOf(selectKey.get(volunteerId)),
    async erase(volunteerId, erasedAt) {
      erase.immediate(volunteerId, erasedAt);
      // Fold the WAL back so the destroyed key leaves no copy in the -wal file.
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    claimRegistration: async (nationalIdHash, volunteerId, wrappedKey) =>
      claim.immediate(nationalIdHash, volunteerId, wrappedKey),
    findRegistration: async (nationalIdHash) => selectRegistration.get(nationalIdHash)?.volunteer_id ?? null,
    async anyActiveDataKey() {
      const row = selectOneActive.get();
      return row === undefined ? null : { volunteerId: row.volunteer_id, wrappedKey: row.wrapped_key };
    },
    activeDataKeys: async () =>
      selectActive.all().map((row) => ({ volunteerId: row.volunteer_id, wrappedKey: row.wrapped_key })),
    async replaceWrappedKeys(keys) {
      replace.immediate(keys);
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    async close() {
      db.close();
    },
  };
}
