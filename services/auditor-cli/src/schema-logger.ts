import { describeMigrationProgress, type SchemaMigrationProgress } from '@timebank/ledger-opener';
import type { SchemaCheckLogger } from '@timebank/projections';

/**
 * Where a command that reads the read models reports their automatic rebuild after an upgrade
 * (another schema fingerprint): one line on stderr per message, so stdout stays the command's.
 */
export const stderrSchemaLogger: SchemaCheckLogger = {
  info: (details, message) => process.stderr.write(`${message} ${JSON.stringify(details)}\n`),
  warn: (details, message) => process.stderr.write(`${message} ${JSON.stringify(details)}\n`),
};

/** The `openLedger` option that brings the read models to this build's schema first. */
export const CURRENT_READ_MODELS = { currentReadModels: { logger: stderrSchemaLogger } } as const;

/**
 * The `openLedger` / `openEventStore` option that reports a schema migration of the event store on
 * open (a store written by an older release) on stderr: a start line, progress, a finish line.
 * Printed even with --quiet: it is a one-off change to the store that can take minutes.
 */
export const MIGRATION_ON_STDERR = {
  onMigrationProgress: (progress: SchemaMigrationProgress) =>
    process.stderr.write(`${describeMigrationProgress(progress)}\n`),
} as const;
