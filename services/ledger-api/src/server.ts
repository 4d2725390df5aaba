/**
 * Starts the ledger API: reads the configuration, opens the store, writes a bootstrap
 * administrator key to a 0600 file on the very first run, listens, and shuts down gracefully on
 * SIGTERM/SIGINT (stop accepting, drain in-flight requests, stop the projector, close the store).
 * With LEDGER_PROCESSES > 1 (PostgreSQL) it starts that many such processes instead (cluster.ts).
 */
import cluster from 'node:cluster';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import {
  describeMigrationProgress,
  describeStore,
  isLedgerOpenError,
  LedgerOpenError,
  lockDataDir,
  openEventStore,
  privilegeRefusal,
  type SchemaMigrationProgress,
} from '@timebank/ledger-opener';
import { EventStoreError, saysDiskFull } from '@timebank/event-store';
import { isProjectionError } from '@timebank/projections';
import { keepBootstrapKeyInFile, recoverStagedBootstrapKey } from './auth/bootstrap-key-file.js';
import { runCluster, ServerProcessStartError } from './cluster.js';
import { ConfigError, loadConfig, type LedgerApiConfig } from './config.js';
import { ensureDataDir } from './data-dir.js';
import type { Logger } from 'pino';
import { createLogger } from './http/logging.js';
import { checkRelayCheckpoint } from './kafka-relay-wiring.js';
import { wireLedgerApi } from './wiring.js';

function readConfig(): LedgerApiConfig {
  try {
    const config = loadConfig(process.env);
    // A file there failed later as a bare EEXIST naming no variable, and a path under /proc hung.
    ensureDataDir(config.dataDir);
    return config;
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
 * A store that does not answer (or a role it refuses), with the variable to check added to the opener's line (which
 * names the engine, host and schema, never credentials, and is shared with `pnpm ledger`, whose
 * flags differ): bad configuration names its variable.
 */
function namingVariable(error: unknown, engine: LedgerApiConfig['store']['engine']): unknown {
  if (!isLedgerOpenError(error) || (error.reason !== 'unreachable' && error.reason !== 'forbidden'))
    return error;
  return new LedgerOpenError('unreachable', `${error.message} (check ${STORE_ADDRESS_VARIABLE[engine]})`, {
    cause: error,
  });
}

/** A schema migration on open, logged as it goes: the server does not listen until it is done. */
function logMigration(logger: Logger, progress: SchemaMigrationProgress): void {
  const { phase, ...details } = progress;
  logger.info({ migration: phase, ...details }, describeMigrationProgress(progress));
}

/**
 * SIGTERM or SIGINT before the server listens (a schema migration, a read-model rebuild of
 * millions of events): the first one aborts `signal`, and start-up stops at its next step instead
 * of listening; a second one ends the process at once, as Node's default would have the first time.
 */
function interruptStartUp(logger: Logger) {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      logger.warn({ signal }, 'second signal during start-up: exiting now');
      process.exit(128 + constants.signals[signal]);
    }
    received = signal;
    logger.info({ signal }, 'signal during start-up: stopping before listening (again to exit now)');
    controller.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal: controller.signal,
    /** The signal that came during start-up, if one did. */
    received: () => received,
    /** Gives SIGTERM and SIGINT back, for the running server's own shutdown. */
    release(): void {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

/**
 * Opens the store and wires the API, or stops the process cleanly (exit 0, store closed, lock
 * released) when a signal came meanwhile: a read-model rebuild it interrupts drops its half-built
 * tables and leaves the read models as they were.
 */
async function openAndWire(
  config: LedgerApiConfig,
  logger: Logger,
  startUp: ReturnType<typeof interruptStartUp>,
  onKeyStoreLockLost: () => void,
) {
  // One server per SQLite data directory: taken here, once per process (the writer and projector
  // threads open the store too), held until the process ends; the kernel drops it on a kill.
  const lock = config.store.engine === 'sqlite' ? lockDataDir(config.store.dataDir) : undefined;
  const store = await openEventStore(config.store, {
    onMigrationProgress: (progress) => logMigration(logger, progress),
    ...(lock === undefined ? {} : { dataDirLock: lock }),
  }).catch((error: unknown) => {
    throw namingVariable(error, config.store.engine);
  });
  const stopBeforeListening = async (): Promise<never> => {
    await store.close();
    lock?.release();
    logger.info({ signal: startUp.received() }, 'stopped before listening');
    // A worker's channel to its primary would keep it alive; exit as a shutdown after listening does.
    process.exit(0);
  };
  const wired = await wireLedgerApi({
    config,
    store,
    logger,
    signal: startUp.signal,
    onKeyStoreLockLost,
  }).catch(async (error: unknown) => {
    // The read models, key store, snapshots and sweep lease open their own tables in the schema.
    if (!startUp.signal.aborted || !isProjectionError(error, 'PROJECTION_INTERRUPTED'))
      throw namingVariable(privilegeRefusal(error, config.store), config.store.engine);
    logger.info(
      { reason: error.message },
      'read-model rebuild interrupted: the half-built tables were dropped, the read models are as they were, and the next start rebuilds them',
    );
    return stopBeforeListening();
  });
  if (startUp.signal.aborted) {
    await wired.close();
    await stopBeforeListening();
  }
  return { store, lock, wired };
}

/** Where the bootstrap key is, never the key: stdout is often collected beside the logs. */
function announceBootstrapKey(headline: string, key: { keyId: string; kept: string }): void {
  process.stdout.write(
    [
      '',
      headline,
      `  key id:   ${key.keyId}`,
      `  key file: ${resolve(key.kept)} (mode 0600, readable only by this user)`,
      '  use:      Authorization: Bearer <the file’s contents>',
      '  Move the key somewhere safe, delete the file, and see docs/operations.md to rotate it.',
      '',
    ].join('\n') + '\n',
  );
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({ level: config.logLevel });
  // LEDGER_PROCESSES > 1: this process only starts and supervises the server processes.
  if (config.processes > 1 && cluster.isPrimary) return runCluster(config, logger);
  await checkRelayCheckpoint(config);
  const startUp = interruptStartUp(logger);
  // PostgreSQL: the key store's lock against a master-key rotation lost for good stops the server,
  // exit 1, for its supervisor to start it again (the start waits for no rotation: it is refused
  // while one runs). Until the shutdown is defined below, it is remembered.
  const keyStoreLock = { lost: false, stop: (): void => undefined };
  const { store, lock, wired } = await openAndWire(config, logger, startUp, () => {
    keyStoreLock.lost = true;
    process.exitCode = 1;
    keyStoreLock.stop();
  });
  const { app, context } = wired;

  const bootstrap = await context.keys.bootstrapAdmin(keepBootstrapKeyInFile(config.adminKeyFile));
  if (bootstrap !== undefined) {
    announceBootstrapKey('First run: a bootstrap administrator API key was issued.', {
      keyId: bootstrap.record.keyId,
      kept: bootstrap.kept,
    });
  } else {
    const recovered = recoverStagedBootstrapKey(
      config.adminKeyFile,
      (keyId, key) => context.keys.authenticate(key)?.keyId === keyId,
    );
    if (recovered !== undefined)
      announceBootstrapKey(
        'An interrupted first run had issued the bootstrap administrator API key; its file is now in place.',
        recovered,
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
  startUp.release();
  keyStoreLock.stop = () => void shutdown('personal-data key store lock lost');
  if (keyStoreLock.lost) keyStoreLock.stop();
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // A signal between the read models and the listen: stop now, as one after it would.
  const early = startUp.received();
  if (early !== undefined) void shutdown(early);
}

main().catch((error: unknown) => {
  // Configuration that only the file system can check (RELAY_CHECKPOINT_PATH): as a bad value.
  if (error instanceof ConfigError) {
    process.stderr.write(`ledger-api: ${error.message}\n`);
    process.exit(2);
  }
  // A full disk (SQLite's SQLITE_FULL while opening or first writing the data directory, a
  // start-up rebuild's PROJECTION_DISK_FULL, a store refusing an append): the operator frees
  // space; a stack trace, or "the store stopped answering", would only hide that.
  if (saysDiskFull(error)) {
    process.stderr.write(
      `ledger-api: failed to start: no space left on the disk of the data directory (${innermostMessage(error)}); free space and start again\n`,
    );
    process.exit(1);
  }
  // A start-up rebuild beside a `pnpm ledger rebuild` of the same read models: wait for that one.
  if (isProjectionError(error, 'PROJECTION_REBUILD_RUNNING')) {
    process.stderr.write(`ledger-api: failed to start: ${error.message}\n`);
    process.exit(1);
  }
  // A store that cannot be opened or reached is an operator's matter: one line, no stack. A data
  // directory another server owns, or a master key missing or not the data keys' own, is a
  // configuration mistake, and exits 2 like one.
  if (isLedgerOpenError(error)) {
    process.stderr.write(`ledger-api: failed to start: ${error.message}\n`);
    process.exit(
      error.reason === 'locked' || error.reason === 'wrong-key' || error.reason === 'missing' ? 2 : 1,
    );
  }
  // LEDGER_PROCESSES > 1: a server process that could not start has said why in its own line.
  if (error instanceof ServerProcessStartError) {
    process.stderr.write(`ledger-api: failed to start: ${error.message}\n`);
    process.exit(error.exitCode ?? 1);
  }
  // The store opened but stopped answering before the server listened (a lock held past
  // POSTGRES_STATEMENT_TIMEOUT_MS, a connection lost): an operator's matter, not a bug to trace.
  if (error instanceof EventStoreError && error.code === 'STORE_UNAVAILABLE') {
    process.stderr.write(
      `ledger-api: failed to start: the event store stopped answering during start-up: ${error.message}\n`,
    );
    process.exit(1);
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

/** The message of the first error in `error`'s chain of causes: the engine's own words. */
function innermostMessage(error: unknown): string {
  let innermost = error;
  for (
    let depth = 0;
    innermost instanceof Error && innermost.cause instanceof Error && depth < 8;
    depth += 1
  ) {
    innermost = innermost.cause;
  }
  return innermost instanceof Error ? innermost.message : String(innermost);
}
