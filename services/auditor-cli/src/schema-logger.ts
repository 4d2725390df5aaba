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
