/** @timebank/projections: read models, the checkpointed projector, replay, verify and export. */
export { BatchApplier, DEFAULT_CACHED_ROWS_PER_TABLE_MAX, type ApplierOptions } from './applier.js';
export { BulkLoader, DEFAULT_ROWS_IN_MEMORY_MAX, type BulkLoaderOptions } from './bulk-loader.js';
export { volunteerAsOf, type AsOf, type VolunteerAsOf } from './as-of.js';
export { verifyBundle, type BundleFinding, type BundleReport } from './audit/bundle.js';
export { ChainChecker, type ChainFinding, type StreamHead } from './audit/chain-checker.js';
export { checkLog, LogChecker, type LogCheckReport, type LogFinding } from './audit/log-checker.js';
export { diffTableSets, balanceSum, type RowDifference } from './audit/diff.js';
export { exportLedger, rootHash, type ExportManifest, EVENTS_FILE, MANIFEST_FILE } from './audit/export.js';
export { rebuildReadModels, DEFAULT_REBUILD_PAGE_EVENTS, type RebuildOptions } from './audit/rebuild.js';
export {
  ensureCurrentReadModels,
  readModelSchemaMismatch,
  DEFAULT_PROGRESS_EVERY_EVENTS,
  type EnsureCurrentReadModelsOptions,
  type SchemaCheckLogger,
  type SchemaCheckResult,
} from './audit/schema-check.js';
export { replayInto, type ReplayProgress, type ReplayResult } from './audit/replay.js';
export { verifyLedger, type VerifyFinding, type VerifyOptions, type VerifyReport } from './audit/verify.js';
export type { ReadModelDatabase } from './dialect/dialect.js';
export { openPostgresReadModels, type PostgresReadModelOptions } from './dialect/postgres.js';
export { openSqliteReadModels, type SqliteReadModelOptions } from './dialect/sqlite.js';
export { holdLockFile, type HeldLockFile, type LockHolder } from './dialect/sqlite-lock-file.js';
export {
  ProjectionError,
  isProjectionError,
  PROJECTION_ERROR_CODES,
  type ProjectionErrorCode,
} from './errors.js';
export { projectionRules, type ProjectionRules } from './handlers/index.js';
export { Projector, type ProjectionLag, type ProjectorOptions } from './projector.js';
export { PositionWaiters, type WaitedProjector, type WaitOptions } from './position-waiters.js';
export * from './queries.js';
export * from './due-queries.js';
export { holdExpiryKey, pointsExpiryKey } from './handlers/due-handlers.js';
export { LIVE_PREFIX, READ_MODEL_SCHEMA_FINGERPRINT, READ_MODEL_SCHEMA_VERSION, TABLES } from './tables.js';
export * from './rollup-queries.js';
export * from './project-queries.js';
