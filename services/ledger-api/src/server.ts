/**
 * Starts the ledger API: reads the configuration, opens the store, writes a bootstrap
 * administrator key to a 0600 file on the very first run, listens, and shuts down gracefully on
 * SIGTERM/SIGINT (stop accepting, drain in-flight requests, stop the projector, close the store).
 * With LEDGER_PROCESSES > 1 (PostgreSQL) it starts that many such processes instead (cluster.ts).
 */
import cluster from 'node:cluster';
import { resolve } from 'node:path';
import {
  describeMigrationProgress,
  describeStore,
  isLedgerOpenError,
  LedgerOpenError,
  lockDataDir,
  openEventStore,
  type SchemaMigrationProgress,
} from '@timebank/ledger-opener';
import { keepBootstrapKeyInFile } from './auth/bootstrap-key-file.js';
import { runCluster } from './cluster.js';
import { ConfigError, loadConfig, type LedgerApiConfig } from './config.js';
import type { Logger } from 'pino';
import { createLogger } from './http/logging.js';
import { wireLedgerApi } from './wiring.js';

function readConfig(): LedgerApiConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`ledger-api: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** The variable that says where each engine's store is: what to check when it cannot be reached. */
const STORE_ADDRESS_VARIABLE = {
  sqlite: 'LEDGER_DATA_DIR',
  postgres: 'POSTGRES_URL',
  esdb: 'ESDB_URL',
} as const satisfies Record<LedgerApiConfig['store']['engine'], string>;

/**
 * A store that does not answer, with the variable to check added to the opener's line (which
 * names the engine, host and schema, never credentials, and is shared with `pnpm ledger`, whose
 * flags differ): bad configuration names its variable.
 */
function namingVariable(error: unknown, engine: LedgerApiConfig['store']['engine']): unknown {
  if (!isLedgerOpenError(error) || error.reason !== 'unreachable') return error;
  return new LedgerOpenError('unreachable', `${error.message} (check ${STORE_ADDRESS_VARIABLE[engine]})`, {
    cause: error,
  });
}

/** A schema migration on open, logged as it goes: the server does not listen until it is done. */
function logMigration(logger: Logger, progress: SchemaMigrationProgress): void {
  const { phase, ...details } = progress;
  logger.info({ migration: phase, ...details }, describeMigrationProgress(progress));
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({ level: config.logLevel });
  // LEDGER_PROCESSES > 1: this process only starts and supervises the server processes.
  if (config.processes > 1 && cluster.isPrimary) return runCluster(config, logger);
  // One server per SQLite data directory: taken here, once per process (the writer and projector
  // threads open the store too), held until the process ends; the kernel drops it on a kill.
  const lock = config.store.engine === 'sqlite' ? lockDataDir(config.store.dataDir) : undefined;
  const store = await openEventStore(config.store, {
    onMigrationProgress: (progress) => logMigration(logger, progress),
    ...(lock === undefined ? {} : { dataDirLock: lock }),
  }).catch((error: unknown) => {
    throw namingVariable(error, config.store.engine);
  });
  const wired = await wireLedgerApi({ config, store, logger });
  const { app, context } = wired;

  const bootstrap = await context.keys.bootstrapAdmin(keepBootstrapKeyInFile(config.adminKeyFile));
  if (bootstrap !== undefined) {
    // Only where the key is, never the key: stdout is often collected beside the logs.
    process.stdout.write(
      [
        '',
        'First run: a bootstrap administrator API key was issued.',
        `  key id:   ${bootstrap.record.keyId}`,
        `  key file: ${resolve(bootstrap.kept)} (mode 0600, readable only by this user)`,
        '  use:      Authorization: Bearer <the file’s contents>',
        '  Move the key somewhere safe, delete the file, and see docs/operations.md to rotate it.',
        '',
      ].join('\n') + '\n',
    );
  }

  const address = await app.listen({ port: config.port, host: config.host });
  process.stdout.write(
    `ledger-api listening on ${address} (${describeStore(config.store)}); API docs at ${address}/docs\n`,
  );

  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    const deadline = setTimeout(() => {
      logger.error({ graceSeconds: config.shutdownGraceSeconds }, 'shutdown grace period over; exiting');
      process.exit(1);
    }, config.shutdownGraceSeconds * 1000);
    deadline.unref();
    try {
      // fastify stops accepting, answers 503 to new requests on open connections and waits for in-flight ones.
      await wired.close();
      await store.close();
      lock?.release();
      logger.info('shut down cleanly');
      clearTimeout(deadline);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exitCode = 1;
    }
    // A cluster worker's channel to its primary would keep it alive; everything is closed by now.
    if (cluster.isWorker) process.exit();
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  // A store that cannot be opened or reached is an operator's matter: one line, no stack. A data
  // directory another server owns, or a master key missing or not the data keys' own, is a
  // configuration mistake, and exits 2 like one.
  if (isLedgerOpenError(error)) {
    process.stderr.write(`ledger-api: failed to start: ${error.message}\n`);
    process.exit(
      error.reason === 'locked' || error.reason === 'wrong-key' || error.reason === 'missing' ? 2 : 1,
    );
  }
  // The operating system refusing what the configuration asks (a port in use or not ours, a HOST
  // that does not resolve, a data directory that is a file) is also the operator's matter.
  const refused = systemRefusal(error);
  if (refused !== undefined) {
    process.stderr.write(`ledger-api: failed to start: ${refused.line}\n`);
    process.exit(refused.exitCode);
  }
  process.stderr.write(
    `ledger-api: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

/**
 * One line for a Node system error (it has a `syscall` and an `E…` code), naming the variables to
 * check; exit 2 when the listen address is the mistake, as for any other bad configuration.
 * Anything else is a bug and keeps its stack.
 */
function systemRefusal(error: unknown): { line: string; exitCode: number } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !code.startsWith('E') || typeof syscall !== 'string') return undefined;
  if (syscall === 'listen' || syscall === 'getaddrinfo') {
    return { line: `cannot listen (check PORT and HOST): ${error.message}`, exitCode: 2 };
  }
  return { line: error.message, exitCode: 1 };
}
