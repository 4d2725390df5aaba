/**
 * Opens the personal-data key store beside the configured event store and resolves the master
 * key that wraps its data keys: `personal-keys.sqlite` in the data directory (SQLite, and
 * EventStoreDB's read-model directory), or tables of its own in PostgreSQL's schema.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  MASTER_KEY_CHECK_ID,
  NATIONAL_ID_KEY_CHECK_ID,
  PersonalKeys,
  unwrapDataKey,
  wrapDataKey,
  type PersonalKeyStore,
  type WrappedDataKey,
} from '@timebank/application';
import { EventStoreError } from '@timebank/event-store';
import { DEFAULT_DATA_DIR, MASTER_KEY_FILE, PERSONAL_KEYS_FILE } from './file-names.js';
import { sqliteOpenError } from './derived-file.js';
import { LedgerOpenError } from './open-error.js';
import { openPostgresKeyStore } from './postgres-key-store.js';
import {
  holdKeyStoreLock,
  type KeyStoreLockEvent,
  type KeyStoreLockWatch,
  type KeyStoreUse,
} from './postgres-key-store-lock.js';
import { openSqliteKeyStore } from './sqlite-key-store.js';
import type { StoreConfig } from './store-config.js';
import { withLibpqSslModes } from './postgres-ssl-mode.js';

/** A master key as configured: 64 hex digits (256 bits). */
const MASTER_KEY_PATTERN = /^[0-9a-f]{64}$/i;

export interface OpenedPersonalKeys {
  readonly keys: PersonalKeys;
  readonly store: PersonalKeyStore;
  close(): Promise<void>;
}

/** The directory that holds the key store file and the generated master key. */
export function personalDataDirectory(
  config: StoreConfig,
  readModelDataDir: string = DEFAULT_DATA_DIR,
): string {
  return resolve(config.engine === 'sqlite' ? config.dataDir : readModelDataDir);
}

export function parseMasterKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  // A key of the wrong shape is as unusable as the wrong key: refused alike (exit 2), never repeated.
  if (!MASTER_KEY_PATTERN.test(trimmed))
    throw new LedgerOpenError('wrong-key', `${source} must be 64 hex digits (a 256-bit key)`);
  return Buffer.from(trimmed, 'hex');
}

/**
 * The configured master key, or `master.key` in the data directory, generated (256 random bits,
 * file mode 0600) on the first run like the national-ID key. Losing it loses every personal field.
 */
export function resolveMasterKey(configured: string | null, directory: string): Buffer {
  if (configured !== null) return parseMasterKey(configured, 'LEDGER_MASTER_KEY');
  const path = join(directory, MASTER_KEY_FILE);
  if (existsSync(path)) return parseMasterKey(readFileSync(path, 'utf8'), path);
  mkdirSync(directory, { recursive: true });
  const key = randomBytes(32).toString('hex');
  // `wx` fails if another process created the file meanwhile; then use theirs.
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return Buffer.from(key, 'hex');
  } catch {
    return parseMasterKey(readFileSync(path, 'utf8'), path);
  }
}

export async function openPersonalKeyStore(
  config: StoreConfig,
  readModelDataDir?: string,
  /** `exclusive`: no other process may have the key store open meanwhile (PostgreSQL; see holdKeyStoreLock). */
  use: KeyStoreUse = 'shared',
  /** PostgreSQL: what becomes of the lock if its connection drops (see holdKeyStoreLock). */
  watchLock?: KeyStoreLockWatch,
): Promise<PersonalKeyStore> {
  if (config.engine === 'postgres') {
    const options = {
      connectionString: withLibpqSslModes(config.url),
      schema: config.schema,
      ...(config.timeouts === undefined ? {} : { timeouts: config.timeouts }),
    };
    const lock = await holdKeyStoreLock({
      ...options,
      use,
      ...(watchLock === undefined ? {} : { watch: watchLock }),
    });
    const store = await openPostgresKeyStore(options).catch(async (error: unknown) => {
      await lock.release();
      throw error;
    });
    return { ...mintingOnlyWhileHeld(store, lock.held), close: () => store.close().finally(lock.release) };
  }
  const directory = personalDataDirectory(config, readModelDataDir);
  mkdirSync(directory, { recursive: true });
  const path = join(directory, PERSONAL_KEYS_FILE);
  try {
    return openSqliteKeyStore(path);
  } catch (error) {
    throw sqliteOpenError(error, 'the personal-data keys', path);
  }
}

/**
 * Why a command that only reads personal data (`pnpm ledger export-records`) cannot open the keys
 * without creating key material, or undefined when it can: no master key (LEDGER_MASTER_KEY unset
 * and no `master.key`) or, on SQLite and EventStoreDB, no key store file. A first open creates
 * both; a read must never (a new master key opens none of the ledger's sealed fields, and a copy
 * of it would be left in the audited directory).
 */
export function personalKeysMissing(
  config: StoreConfig,
  options: { readonly masterKey: string | null; readonly readModelDataDir?: string },
): string | undefined {
  const directory = personalDataDirectory(config, options.readModelDataDir);
  const never = 'a command that reads personal data never creates one (nothing was written)';
  const keyFile = join(directory, MASTER_KEY_FILE);
  if (options.masterKey === null && !existsSync(keyFile))
    return `no master key: ${keyFile} does not exist and LEDGER_MASTER_KEY is not set; ${never}: restore master.key from your backup, or set LEDGER_MASTER_KEY`;
  const store = join(directory, PERSONAL_KEYS_FILE);
  if (config.engine !== 'postgres' && !existsSync(store))
    return `no personal-data key store: ${store} does not exist; ${never}: restore it from your backup`;
  return undefined;
}

/**
 * `store` refusing to wrap a new data key (a registration, a first seal) while its lock is not
 * held: a master-key rotation may run meanwhile, and a key wrapped under the master key it
 * replaces could never be opened again. The API answers 503 (STORE_UNAVAILABLE) meanwhile.
 */
function mintingOnlyWhileHeld(store: PersonalKeyStore, held: () => boolean): PersonalKeyStore {
  const refuseUnlessHeld = (): void => {
    if (!held())
      throw new EventStoreError(
        'STORE_UNAVAILABLE',
        'the personal-data key store is unavailable: its lock against a master-key rotation is not held',
      );
  };
  return {
    ...store,
    insertDataKey: async (...args) => {
      refuseUnlessHeld();
      return store.insertDataKey(...args);
    },
    claimRegistration: async (...args) => {
      refuseUnlessHeld();
      return store.claimRegistration(...args);
    },
  };
}

/**
 * Opens the key store and resolves the master key, refusing (LedgerOpenError) to start with a
 * master key that cannot open the stored data keys: a `master.key` missing while keys are stored
 * (a new one would be generated and every personal field would fail to open, request by request),
 * or a configured or stored key that is not the one they were wrapped under. One stored key is
 * unwrapped to check (a store older than the check key may hold only volunteers' keys); then the
 * check key `MASTER_KEY_CHECK_ID`, written on the store's first open, is unwrapped too.
 */
export async function openPersonalKeys(
  config: StoreConfig,
  options: {
    readonly masterKey: string | null;
    readonly readModelDataDir?: string;
    /** The key ID numbers are hashed under, checked against the ledger's (see checkNationalIdKey). */
    readonly nationalIdKey?: string;
    /** Refuse (LedgerOpenError `missing`) rather than create a master key or key store: see personalKeysMissing. */
    readonly mustExist?: boolean;
    /** PostgreSQL: told when the key store's lock was lost and taken again, or lost for good. */
    readonly watchLock?: (event: KeyStoreLockEvent) => void;
  },
): Promise<OpenedPersonalKeys> {
  const directory = personalDataDirectory(config, options.readModelDataDir);
  const missing = options.mustExist === true ? personalKeysMissing(config, options) : undefined;
  if (missing !== undefined) throw new LedgerOpenError('missing', missing);
  // Once the lock is taken again after a drop: a rotation that ran meanwhile (the network between
  // us and PostgreSQL cut, not the rotation's) re-wrapped the check key under another master key.
  const opened: { store?: PersonalKeyStore; masterKey?: Buffer } = {};
  const confirm = async (): Promise<string | undefined> => {
    if (opened.store === undefined || opened.masterKey === undefined) return undefined;
    const check = await opened.store.dataKey(MASTER_KEY_CHECK_ID);
    if (check?.state !== 'active') return undefined;
    try {
      unwrapDataKey(opened.masterKey, MASTER_KEY_CHECK_ID, check.wrappedKey);
      return undefined;
    } catch {
      return 'the master key was rotated while the lock was not held: this process has the replaced one';
    }
  };
  const watchLock = options.watchLock === undefined ? undefined : { watch: options.watchLock, confirm };
  const store = await openPersonalKeyStore(config, options.readModelDataDir, 'shared', watchLock);
  opened.store = store;
  try {
    const sample = await store.anyActiveDataKey();
    const path = join(directory, MASTER_KEY_FILE);
    if (sample !== null && options.masterKey === null && !existsSync(path))
      throw new LedgerOpenError('missing', missingMasterKeyMessage(path, config.engine !== 'sqlite'));
    const masterKey = resolveMasterKey(options.masterKey, directory);
    opened.masterKey = masterKey;
    const source = options.masterKey === null ? path : 'LEDGER_MASTER_KEY';
    if (sample !== null) checkMasterKey(masterKey, sample, source);
    // The first open of a store leaves a key wrapped under this master key, atomically: a second
    // process that generated a master key of its own meanwhile is refused here, not request by request.
    const check = await store.insertDataKey(
      MASTER_KEY_CHECK_ID,
      wrapDataKey(masterKey, MASTER_KEY_CHECK_ID, randomBytes(32)),
    );
    if (check.state === 'active')
      checkMasterKey(masterKey, { volunteerId: MASTER_KEY_CHECK_ID, wrappedKey: check.wrappedKey }, source);
    if (options.nationalIdKey !== undefined)
      await checkNationalIdKey(store, masterKey, options.nationalIdKey);
    return { keys: new PersonalKeys(store, masterKey), store, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Volunteer ids and the duplicate-registration index are keyed hashes of ID numbers, so a process
 * given another LEDGER_NATIONAL_ID_KEY (a typo on one host, a key regenerated) would register a
 * person a second time, silently. The first open with a key keeps its fingerprint (an HMAC of a
 * constant, which reveals nothing of the key), wrapped under the master key like a data key; every
 * later open with another key is refused. A ledger from before this check adopts the key of its
 * first open after the upgrade.
 */
async function checkNationalIdKey(
  store: PersonalKeyStore,
  masterKey: Buffer,
  nationalIdKey: string,
): Promise<void> {
  const fingerprint = createHmac('sha256', nationalIdKey).update('timebank national-ID key check').digest();
  const kept = await store.insertDataKey(
    NATIONAL_ID_KEY_CHECK_ID,
    wrapDataKey(masterKey, NATIONAL_ID_KEY_CHECK_ID, fingerprint),
  );
  if (kept.state !== 'active') return;
  const stored = unwrapDataKey(masterKey, NATIONAL_ID_KEY_CHECK_ID, kept.wrappedKey);
  if (stored.length === fingerprint.length && timingSafeEqual(stored, fingerprint)) return;
  throw new LedgerOpenError(
    'wrong-key',
    'the national-ID key (LEDGER_NATIONAL_ID_KEY, or national-id.key) is not the one this ledger registers volunteers under: ' +
      'ID numbers would hash differently and people already registered could register again. ' +
      'Give every process of the ledger the same key; never change it',
  );
}

function missingMasterKeyMessage(path: string, outsideSqlite: boolean): string {
  const earlier = resolve(DEFAULT_DATA_DIR, MASTER_KEY_FILE);
  const moved =
    outsideSqlite && earlier !== path && existsSync(earlier)
      ? ` There is one at ${earlier}: with PostgreSQL and EventStoreDB earlier releases kept master.key, erasures.jsonl and reactor.checkpoint.json in ./data under the working directory, not in LEDGER_DATA_DIR; move them to ${dirname(path)}.`
      : '';
  return (
    `no master key: ${path} does not exist and LEDGER_MASTER_KEY is not set, but the personal-data ` +
    `key store holds data keys wrapped under one. Restore master.key from your backup (or set ` +
    `LEDGER_MASTER_KEY); a new key would open none of them.${moved}`
  );
}

/** Refuses (LedgerOpenError `wrong-key`) a master key that does not open `sample`, a stored data key. */
export function checkMasterKey(masterKey: Buffer, sample: WrappedDataKey, source: string): void {
  try {
    unwrapDataKey(masterKey, sample.volunteerId, sample.wrappedKey);
  } catch {
    throw new LedgerOpenError(
      'wrong-key',
      `the master key in ${source} is not the one the personal-data keys were wrapped under ` +
        `(checked on one stored key); give the right master key, or restore master.key from your backup. ` +
        `Processes sharing one PostgreSQL schema need the same master key: set LEDGER_MASTER_KEY, or copy master.key, on each`,
    );
  }
}
