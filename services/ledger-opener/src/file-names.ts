/**
 * Every file the ledger keeps in its data directory, named once. The services' configurations
 * and the auditor CLI take their defaults from here, so a store written by one is found by all.
 */

/** The data directory when LEDGER_DATA_DIR (or `--data-dir`) is not given; relative to the working directory. */
export const DEFAULT_DATA_DIR = './data';
/** The SQLite event store. */
export const EVENT_STORE_FILE = 'ledger.sqlite';
/** The SQLite read models, a file of their own beside the store (also used with EventStoreDB). */
export const READ_MODELS_FILE = 'projections.sqlite';
/** The generated national-ID hash key (SQLite only; other engines take it from configuration). */
export const NATIONAL_ID_KEY_FILE = 'national-id.key';
/** How far the API's reactor has run reactions. */
export const REACTOR_CHECKPOINT_FILE = 'reactor.checkpoint.json';
/** How far the Kafka relay has published, unless RELAY_CHECKPOINT_PATH says otherwise. */
export const RELAY_CHECKPOINT_FILE = 'kafka-relay.checkpoint.json';
/** The personal-data key store: data keys and the duplicate-registration index (SQLite and EventStoreDB). */
export const PERSONAL_KEYS_FILE = 'personal-keys.sqlite';
/** The generated master key that wraps data keys, when LEDGER_MASTER_KEY is not given. */
export const MASTER_KEY_FILE = 'master.key';
