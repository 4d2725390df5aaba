export { EsdbEventStore, createEsdbEventStore } from './esdb-event-store.js';
export type { EsdbEventStoreOptions } from './esdb-event-store.js';
export { DEFAULT_RETRY_POLICY } from './retry.js';
export type { RetryEnvironment, RetryPolicy } from './retry.js';
export { StoreUnavailableError } from './esdb-errors.js';
