/**
 * @timebank/ledger-opener: the one place that turns configuration into an open event store,
 * read models and the files beside them. It wires adapters, so it lives with the services; the
 * API, the Kafka relay, the auditor CLI and the benchmarks all open the ledger through it.
 */
export { describeStore } from './describe-store.js';
export {
  DEFAULT_DATA_DIR,
  EVENT_STORE_FILE,
  MASTER_KEY_FILE,
  NATIONAL_ID_KEY_FILE,
  PERSONAL_KEYS_FILE,
  REACTOR_CHECKPOINT_FILE,
  READ_MODELS_FILE,
  RELAY_CHECKPOINT_FILE,
} from './file-names.js';
export { createFileCheckpointStore, type CheckpointStore } from './file-checkpoint-store.js';
export { openEventStore, type OpenEventStoreOptions } from './open-event-store.js';
export { LedgerOpenError, isLedgerOpenError } from './open-error.js';
export { openLedger, type OpenedLedger, type OpenLedgerOptions } from './open-ledger.js';
export { openReadModels } from './open-read-models.js';
export type { StoreConfig } from './store-config.js';
export {
  openPersonalKeys,
  openPersonalKeyStore,
  parseMasterKey,
  personalDataDirectory,
  resolveMasterKey,
  type OpenedPersonalKeys,
} from './open-personal-keys.js';
