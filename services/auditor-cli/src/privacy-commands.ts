/**
 * The personal-data commands of `pnpm ledger` (docs/privacy.md):
 *
 * - `erase-due`: erases every volunteer deactivated more than LEDGER_RETENTION_DAYS ago (default
 *   1095), as the system, reason `retention_ended`. A scheduler can run `dueErasures` instead.
 * - `rotate-master-key`: re-wraps every data key under LEDGER_NEW_MASTER_KEY; events are not
 *   touched. Stop the API first, so that it mints no key under the old master key meanwhile.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createLedger,
  DEFAULT_RETENTION_DAYS,
  eraseDue,
  rotateMasterKey,
  sealingStore,
} from '@timebank/application';
import {
  checkMasterKey,
  createErasureList,
  EVENT_STORE_FILE,
  LedgerOpenError,
  lockDataDir,
  MASTER_KEY_FILE,
  NATIONAL_ID_KEY_FILE,
  nationalIdKeyProblem,
  openEventStore,
  openLedger,
  openPersonalKeys,
  openPersonalKeyStore,
  parseMasterKey,
  personalDataDirectory,
  personalKeysMissing,
  resolveMasterKey,
  type StoreConfig,
} from '@timebank/ledger-opener';
import { ProjectionError } from '@timebank/projections';
import type { Backend } from './args.js';
import { CURRENT_READ_MODELS, MIGRATION_ON_STDERR } from './schema-logger.js';

export interface PrivacyOptions {
  readonly backend: Backend;
  readonly environment: NodeJS.ProcessEnv;
  readonly clock?: () => number;
}

export function configured(environment: NodeJS.ProcessEnv, name: string): string | null {
  const value = environment[name];
  return value === undefined || value.trim() === '' ? null : value.trim();
}

function invalid(message: string): ProjectionError {
  return new ProjectionError('PROJECTION_INVALID_ARGUMENT', message);
}

/** LEDGER_RETENTION_DAYS: whole days, default 1095 (three years). */
export function retentionDaysOf(environment: NodeJS.ProcessEnv): number {
  const text = configured(environment, 'LEDGER_RETENTION_DAYS');
  if (text === null) return DEFAULT_RETENTION_DAYS;
  if (!/^\d{1,6}$/.test(text)) throw invalid('LEDGER_RETENTION_DAYS must be a whole number of days');
  return Number(text);
}

/**
 * LEDGER_NATIONAL_ID_KEY as the API reads it (unset or blank: null), checked by the API's rule and
 * never trimmed: the API uses it byte for byte, and a key this command trimmed while the API did
 * not (as it did until 2026-12) would give a volunteer another id here than there.
 */
export function configuredNationalIdKey(environment: NodeJS.ProcessEnv): string | null {
  const key = environment.LEDGER_NATIONAL_ID_KEY;
  if (key === undefined || key.trim() === '') return null;
  const problem = nationalIdKeyProblem(key);
  if (problem !== undefined) throw invalid(`LEDGER_NATIONAL_ID_KEY ${problem}`);
  return key;
}

/** The national-ID key the API uses: LEDGER_NATIONAL_ID_KEY, or `national-id.key` in the data directory. */
export function nationalIdKeyOf(
  environment: NodeJS.ProcessEnv,
  directory: string,
  engine: StoreConfig['engine'] = 'sqlite',
): string {
  const key = configuredNationalIdKey(environment);
  if (key !== null) return key;
  const path = join(directory, NATIONAL_ID_KEY_FILE);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  // Off SQLite the API requires the variable and writes no file, so starting it would not help.
  if (engine !== 'sqlite')
    throw invalid(
      `LEDGER_NATIONAL_ID_KEY is not set: with --store ${engine} the API runs with that variable and keeps ` +
        'no national-id.key; set it to the key the API uses (docs/privacy.md)',
    );
  throw invalid(
    `LEDGER_NATIONAL_ID_KEY is not set and there is no ${path}: the API has never run on this data ` +
      'directory; start the API once on this data directory (`pnpm start` with LEDGER_DATA_DIR), which ' +
      'creates its keys, or set LEDGER_NATIONAL_ID_KEY to the key the API uses (docs/privacy.md)',
  );
}

/**
 * For a command that only reads personal data: refuses (LedgerOpenError `missing`, exit 2) when
 * opening the keys would create a master key or key store (see personalKeysMissing).
 */
export function refuseMissingPersonalKeys(backend: Backend, environment: NodeJS.ProcessEnv): void {
  const missing = personalKeysMissing(backend.store, {
    masterKey: configured(environment, 'LEDGER_MASTER_KEY'),
    readModelDataDir: backend.readModelDataDir,
  });
  if (missing !== undefined) throw new LedgerOpenError('missing', missing);
}

/**
 * The ledger (store and current read models) and the personal-data keys under LEDGER_MASTER_KEY,
 * opened together for a command that reads or writes personal data; the ledger is closed again
 * when the keys cannot be opened. `store` seals personal fields on append. A command that hashes
 * ID numbers (registers or looks volunteers up by them) passes its national-ID key, checked
 * against the ledger's as the server checks it at start: with another key it would register
 * people a second time. A command that only reads passes `mustExist`: without a master key or key
 * store it is refused (LedgerOpenError `missing`, exit 2) before anything is opened, never creating them.
 */
export async function openLedgerWithKeys(
  backend: Backend,
  environment: NodeJS.ProcessEnv,
  options: { readonly nationalIdKey?: string; readonly mustExist?: boolean } = {},
) {
  const masterKey = configured(environment, 'LEDGER_MASTER_KEY');
  if (options.mustExist === true) refuseMissingPersonalKeys(backend, environment);
  const opened = await openLedger(backend.store, {
    mustExist: true,
    readModelDataDir: backend.readModelDataDir,
    ...CURRENT_READ_MODELS,
    ...MIGRATION_ON_STDERR,
  });
  const keys = await openPersonalKeys(backend.store, {
    masterKey,
    readModelDataDir: backend.readModelDataDir,
    ...(options.nationalIdKey === undefined ? {} : { nationalIdKey: options.nationalIdKey }),
    ...(options.mustExist === true ? { mustExist: true } : {}),
  }).catch(async (error: unknown) => {
    await opened.close();
    throw error;
  });
  return {
    opened,
    keys,
    store: sealingStore(opened.store, keys.keys),
    close: async () => {
      await keys.close();
      await opened.close();
    },
  };
}

export async function runEraseDue(options: PrivacyOptions): Promise<string[]> {
  const { backend } = options;
  const directory = personalDataDirectory(backend.store, backend.readModelDataDir);
  const { opened, keys, close } = await openLedgerWithKeys(backend, options.environment);
  try {
    const clock = options.clock ?? (() => Date.now());
    const ledger = createLedger({
      store: opened.store,
      clock,
      nationalIdKey: nationalIdKeyOf(options.environment, directory, backend.store.engine),
      personalKeys: keys.keys,
      erasureLog: createErasureList(directory),
    });
    return await eraseDue(
      { ledger, store: opened.store },
      { clock, retentionDays: retentionDaysOf(options.environment) },
    );
  } finally {
    await close();
  }
}

/**
 * Re-wraps every data key under LEDGER_NEW_MASTER_KEY. When the old key came from `master.key`,
 * the new key is written beside it first (`master.key.new`) and renamed over it only after every
 * key is re-wrapped, so a crash never leaves keys wrapped under a key that is stored nowhere.
 */
export async function runRotateMasterKey(
  options: PrivacyOptions,
): Promise<{ rewrapped: number; keyFile: string | null }> {
  const { backend } = options;
  const newText = configured(options.environment, 'LEDGER_NEW_MASTER_KEY');
  if (newText === null) throw invalid('rotate-master-key needs LEDGER_NEW_MASTER_KEY (64 hex digits)');
  // A malformed key is the operator's input, refused like a missing one (exit 2), not a failure.
  let newMasterKey: Buffer;
  try {
    newMasterKey = parseMasterKey(newText, 'LEDGER_NEW_MASTER_KEY');
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error));
  }
  const directory = personalDataDirectory(backend.store, backend.readModelDataDir);
  // A server beside the rotation could mint a data key under the old master key after the
  // re-wrap: on SQLite the data directory's lock keeps it out (and this out while it runs).
  // (A directory that does not exist is left for the key store's own error to name.)
  const lock =
    backend.store.engine === 'sqlite' && existsSync(backend.store.dataDir)
      ? lockDataDir(backend.store.dataDir)
      : undefined;
  try {
    return await rotateLocked(backend, newMasterKey, options.environment, directory);
  } finally {
    lock?.release();
  }
}

/**
 * Rotation opens only the key store, which opening creates: a mistyped --data-dir or
 * --postgres-schema made a new, empty one (a stray directory or schema) and answered "re-wrapped 0
 * data keys" with exit 0, as if the ledger's keys had been rotated. The ledger must be there, as
 * for every other command that reads it (LedgerOpenError `missing`: exit 2).
 */
async function mustBeALedger(store: StoreConfig): Promise<void> {
  if (store.engine === 'sqlite') {
    const path = join(resolve(store.dataDir), EVENT_STORE_FILE);
    if (!existsSync(path))
      throw new LedgerOpenError('missing', `no event store at ${path} (check the data directory)`);
  } else if (store.engine === 'postgres') {
    await (await openEventStore(store, { mustExist: true })).close();
  }
}

async function rotateLocked(
  backend: Backend,
  newMasterKey: Buffer,
  environment: NodeJS.ProcessEnv,
  directory: string,
): Promise<{ rewrapped: number; keyFile: string | null }> {
  const oldConfigured = configured(environment, 'LEDGER_MASTER_KEY');
  const keyFile = oldConfigured === null ? join(directory, MASTER_KEY_FILE) : null;
  if (keyFile !== null && !existsSync(keyFile))
    throw invalid(`no master key: LEDGER_MASTER_KEY is unset and ${keyFile} is missing`);
  const oldMasterKey = resolveMasterKey(oldConfigured, directory);
  await mustBeALedger(backend.store);
  // Alone: on PostgreSQL a process that has the key store open refuses it (and it them) meanwhile.
  const store = await openPersonalKeyStore(backend.store, backend.readModelDataDir, 'exclusive');
  try {
    // The current master key must open the stored keys before anything is written: a wrong one
    // failed inside the re-wrapping with Node's "unable to authenticate data" and left master.key.new.
    const sample = await store.anyActiveDataKey();
    if (sample !== null) checkMasterKey(oldMasterKey, sample, keyFile ?? 'LEDGER_MASTER_KEY');
    if (keyFile !== null)
      writeFileSync(`${keyFile}.new`, `${newMasterKey.toString('hex')}\n`, { mode: 0o600 });
    // A failure from here on leaves master.key.new: the keys may have been re-wrapped under it
    // (a commit whose answer was lost), and then it is the only copy of the key that opens them.
    const rewrapped = await rotateMasterKey(store, oldMasterKey, newMasterKey);
    if (keyFile !== null) renameSync(`${keyFile}.new`, keyFile);
    return { rewrapped, keyFile };
  } finally {
    await store.close();
  }
}
