export { createSqliteEventStore } from './store.js';
export type { SqliteEventStore, SqliteEventStoreOptions } from './store.js';
export type { MigrationHooks, SchemaMigrationProgress } from './database.js';
export type { GroupCommitLimits, GroupCommitStats } from './group-commit.js';
export { DEFAULT_GROUP_COMMIT_LIMITS } from './group-commit.js';
export { copySqliteOnline, type OnlineCopyOptions, type OnlineCopyProgress } from './online-copy.js';
export { createSqliteSnapshotStore, type SqliteSnapshotStoreOptions } from './snapshot-store.js';
export { version3TextLayout } from './legacy-layouts.js';
