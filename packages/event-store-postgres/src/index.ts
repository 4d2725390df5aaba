export { createPostgresEventStore, type PostgresEventStore } from './store.js';
export { PostgresStoreMissingError } from './schema.js';
export { isQueryTimeout, isTransientConnectionError } from './connection-errors.js';
export {
  clientSettings,
  KEEPALIVE_INITIAL_DELAY_MILLISECONDS,
  QUERY_TIMEOUT_MARGIN_MILLISECONDS,
  type PostgresTimeouts,
} from './client-settings.js';
export {
  DEFAULT_POSTGRES_LIMITS,
  type PostgresEventStoreOptions,
  type PostgresLimits,
  type PostgresTestHooks,
} from './options.js';
export {
  createPostgresSweepLease,
  type PostgresSweepLease,
  type PostgresSweepLeaseOptions,
} from './sweep-lease.js';
export { driverConnection, type DriverConnection } from './ssl-negotiation.js';
export { createPostgresSnapshotStore, type PostgresSnapshotStoreOptions } from './snapshot-store.js';
