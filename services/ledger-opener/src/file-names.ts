/**
 * Every file the ledger keeps in its data directory, named once. The services' configurations
 * and the auditor CLI take their defaults from here, so a store written by one is found by all.
 */

/** The data directory when LEDGER_DATA_DIR (or `--data-dir`) is not given; relative to the working directory. */
export const DEFAULT_DATA_DIR = './data';
/** The SQLite event store. */
export const EVENT_STORE_FILE = 'ledger.sqlite';
/**
 * The data directory's write lock (data-dir-lock.ts): held by the process that owns the directory
 * (the server, or a command that must not run beside it), released by the kernel when it exits.
 */
export const DATA_DIR_LOCK_FILE = 'ledger.lock';
/** Who holds `ledger.lock` (pid, since when), for the message a refused process prints. */
export const DATA_DIR_LOCK_HOLDER_FILE = 'ledger.lock.json';
/** The SQLite read models, a file of their own beside the store (also used with EventStoreDB). */
export const READ_MODELS_FILE = 'projections.sqlite';
/** The generated national-ID hash key (SQLite only; other engines take it from configuration). */
export const NATIONAL_ID_KEY_FILE = 'national-id.key';
/** How far the API's reactor has run reactions. */
export const REACTOR_CHECKPOINT_FILE = 'reactor.checkpoint.json';
/** How far the Kafka relay has published, unless RELAY_CHECKPOINT_PATH says otherwise. */
export const RELAY_CHECKPOINT_FILE = 'kafka-relay.checkpoint.json';
/**
 * Snapshots of folded stream state (SQLite): a cache the server rebuilds, so never backed up;
 * volunteers' snapshots are sealed under their data keys.
 */
export const SNAPSHOTS_FILE = 'snapshots.sqlite';
/** The personal-data key store: data keys and the duplicate-registration index (SQLite and EventStoreDB). */
export const PERSONAL_KEYS_FILE = 'personal-keys.sqlite';
/** The generated master key that wraps data keys, when LEDGER_MASTER_KEY is not given. */
export const MASTER_KEY_FILE = 'master.key';

/**
 * Every erasure of a person's data, one JSON line each, appended when it happens (see
 * erasure-list.ts). Kept outside the key store so that a restore can re-apply it: an erased
 * person's key must not come back from an older backup.
 */
export const ERASURE_LIST_FILE = 'erasures.jsonl';
/** What `pnpm ledger backup` writes beside the copies: names, sizes and SHA-256 of each file. */
export const BACKUP_MANIFEST_FILE = 'backup-manifest.json';

/**
 * How a backup copies a file: `sqlite` through SQLite's online backup API (a consistent snapshot
 * while the server writes; the -wal and -shm files are folded in, never copied), `file` byte for
 * byte with its mode (key files stay 0600). A `required` file must exist for a backup to start.
 */
export interface BackupFile {
  readonly name: string;
  readonly kind: 'sqlite' | 'file';
  readonly required: boolean;
}

/**
 * The files `pnpm ledger backup` copies, in this order. Each SQLite file is a snapshot of its own
 * moment, so the order is what makes the set consistent:
 * - followers first (the checkpoints, then the read models): a copy taken before the event store's
 *   is behind it, so the restored server catches up; one taken after could point past the last
 *   copied event and skip what is appended next;
 * - then the event store;
 * - then what must cover every copied event (keys) and the erasure list, which may only be newer.
 *
 * The personal-data key store comes directly AFTER the event store, so that every encrypted event
 * in the copy has its data key, and its `master.key` beside the national-ID key. Both before
 * ERASURE_LIST_FILE: an erasure made during the backup is then either already in the key-store
 * copy or in the list.
 * Files not named here (the bootstrap administrator key, temporary files) are not backed up.
 */
export const BACKUP_FILES: readonly BackupFile[] = [
  { name: REACTOR_CHECKPOINT_FILE, kind: 'file', required: false },
  { name: RELAY_CHECKPOINT_FILE, kind: 'file', required: false },
  { name: READ_MODELS_FILE, kind: 'sqlite', required: false },
  { name: EVENT_STORE_FILE, kind: 'sqlite', required: true },
  { name: PERSONAL_KEYS_FILE, kind: 'sqlite', required: false },
  { name: NATIONAL_ID_KEY_FILE, kind: 'file', required: false },
  { name: MASTER_KEY_FILE, kind: 'file', required: false },
  { name: ERASURE_LIST_FILE, kind: 'file', required: false },
];
