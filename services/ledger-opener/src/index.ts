/**
 * @timebank/ledger-opener: the one place that turns configuration into an open event store,
 * read models and the files beside them. It wires adapters, so it lives with the services; the
 * API, the Kafka relay, the auditor CLI and the benchmarks all open the ledger through it.
 */
export { describeStore } from './describe-store.js';
export { directoryProblem } from './ensure-directory.js';
export { lockDataDir, type DataDirLock } from './data-dir-lock.js';
export { backupDataDir, type BackupOptions } from './backup.js';
export { BackupError, isBackupError, type BackupManifest } from './backup-manifest.js';
export {
  createErasureList,
  erasureListAt,
  reportOnlyErasureHook,
  type ErasureHook,
  type ErasureList,
  type ErasureReapplication,
  type ErasureRecord,
} from './erasure-list.js';
export { keyStoreErasureHook } from './key-store-erasure-hook.js';
export { restoreDataDir, type RestoreOptions, type RestoreReport } from './restore.js';
export {
  BACKUP_FILES,
  BACKUP_MANIFEST_FILE,
  DATA_DIR_LOCK_FILE,
  DATA_DIR_LOCK_HOLDER_FILE,
  DEFAULT_DATA_DIR,
  ERASURE_LIST_FILE,
  EVENT_STORE_FILE,
  MASTER_KEY_FILE,
  NATIONAL_ID_KEY_FILE,
  PERSONAL_KEYS_FILE,
  REACTOR_CHECKPOINT_FILE,
  READ_MODELS_FILE,
  RELAY_CHECKPOINT_FILE,
  SNAPSHOTS_FILE,
  type BackupFile,
} from './file-names.js';
export { createFileCheckpointStore, type CheckpointStore } from './file-checkpoint-store.js';
export { describeMigrationProgress, openEventStore, type OpenEventStoreOptions } from './open-event-store.js';
export type { SchemaMigrationProgress } from '@timebank/event-store-sqlite';
export { LedgerOpenError, isLedgerOpenError } from './open-error.js';
export { privilegeRefusal } from './postgres-privilege.js';
export { NATIONAL_ID_KEY_LENGTH_MIN, nationalIdKeyProblem } from './national-id-key.js';
export { openLedger, type OpenedLedger, type OpenLedgerOptions } from './open-ledger.js';
export { openReadModels } from './open-read-models.js';
export { openSnapshotStore } from './open-snapshot-store.js';
export { SCAN_PAGE_CACHE_KIB, type StoreConfig } from './store-config.js';
export { openSweepLease, type OpenedSweepLease } from './open-sweep-lease.js';
export {
  checkMasterKey,
  openPersonalKeys,
  personalKeysMissing,
  openPersonalKeyStore,
  parseMasterKey,
  personalDataDirectory,
  resolveMasterKey,
  type OpenedPersonalKeys,
} from './open-personal-keys.js';
export {
  LOCK_APPLICATION_NAME as KEY_STORE_LOCK_APPLICATION_NAME,
  lockKeyOf as keyStoreLockKey,
  type KeyStoreLockEvent,
} from './postgres-key-store-lock.js';
export {
  BROKER_LIST_MESSAGE,
  isBrokerList,
  postgresSchemaProblem,
  postgresSchemaVariable,
  presentVariables,
  variableProblems,
  wholeNumberVariable,
  type VariableProblem,
} from './environment.js';
