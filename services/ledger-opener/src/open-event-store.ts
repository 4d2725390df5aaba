import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventStore } from '@timebank/event-store';
import { createSqliteEventStore, type SchemaMigrationProgress } from '@timebank/event-store-sqlite';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { describeStore } from './describe-store.js';
import { sqliteOpenError } from './derived-file.js';
import { EVENT_STORE_FILE } from './file-names.js';
import { isLedgerOpenError, LedgerOpenError } from './open-error.js';
import { privilegeRefusal } from './postgres-privilege.js';
import type { StoreConfig } from './store-config.js';
import { withLibpqSslModes } from './postgres-ssl-mode.js';

export interface OpenEventStoreOptions {
  /**
   * Refuse to create an empty SQLite store or PostgreSQL schema, so that an auditor who mistypes `--data-dir` gets an
   * error instead of a clean verification of nothing. Default false: services create it.
   */
  readonly mustExist?: boolean;
  /**
   * Told when opening migrates an older SQLite store to this code's schema (one transaction that
   * can take minutes on a large store): its start, progress every 100,000 events or 2 s, and its
   * finish. Services log it; without it a migration is silent.
   */
  readonly onMigrationProgress?: (progress: SchemaMigrationProgress) => void;
  /**
   * This process already holds the SQLite data directory's lock (the server, an owning command).
   * Without it, a store that needs a schema migration takes the lock for the migration and is
   * refused (LedgerOpenError `locked`) while another process holds it: a store is never migrated
   * under a running server. A current store opens without the lock, beside a server, as before.
   */
  readonly dataDirLock?: DataDirLock;
}

/**
 * Opens the configured engine's store. Each adapter owns its driver; this is the only place that
 * chooses between them. The PostgreSQL and EventStoreDB adapters are imported only when chosen:
 * their drivers cost every thread that loads them memory (about 11 and 18 MiB resident,
 * measured), and a SQLite server, its projector thread included, never uses them. The EventStoreDB client connects lazily, so its store is asked for its
 * head once here: an unreachable server fails at opening, with a LedgerOpenError naming it,
 * rather than at the first request.
 */
export async function openEventStore(
  config: StoreConfig,
  options: OpenEventStoreOptions = {},
): Promise<EventStore> {
  switch (config.engine) {
    case 'sqlite': {
      const directory = resolve(config.dataDir);
      const path = join(directory, EVENT_STORE_FILE);
      if (options.mustExist === true && !existsSync(path)) {
        throw new LedgerOpenError('missing', `no event store at ${path} (check the data directory)`);
      }
      mkdirSync(directory, { recursive: true });
      try {
        return openSqliteStore(path, directory, config, options);
      } catch (error) {
        throw sqliteOpenError(error, 'the event store', path);
      }
    }
    case 'postgres': {
      const { createPostgresEventStore, isTransientConnectionError, PostgresStoreMissingError } =
        await import('@timebank/event-store-postgres');
      try {
        return await createPostgresEventStore({
          connectionString: withLibpqSslModes(config.url),
          schema: config.schema,
          ...(config.timeouts === undefined ? {} : { limits: { ...config.timeouts } }),
          ...(options.mustExist === true ? { mustExist: true } : {}),
        });
      } catch (error) {
        if (error instanceof PostgresStoreMissingError) {
          throw new LedgerOpenError(
            'missing',
            `no event store in ${describeStore(config)} (check the schema)`,
            { cause: error },
          );
        }
        // The driver's own words for a socket closed under it or a connection that timed out
        // carry no code: a port that accepts and closes, or accepts and never answers.
        if (!isConnectionFailure(error) && !isTransientConnectionError(error))
          throw privilegeRefusal(error, config);
        const cause = error instanceof Error ? error.message : String(error);
        throw new LedgerOpenError(
          'unreachable',
          `cannot reach the event store (${describeStore(config)}): ${cause}`,
          {
            cause: error,
          },
        );
      }
    }
    case 'esdb': {
      const { createEsdbEventStore } = await import('@timebank/event-store-esdb');
      return reachable(config, createEsdbEventStore({ connectionString: config.url }));
    }
  }
}

function openSqliteStore(
  path: string,
  directory: string,
  config: Extract<StoreConfig, { engine: 'sqlite' }>,
  options: OpenEventStoreOptions,
): EventStore {
  return createSqliteEventStore({
    path,
    ...(options.mustExist === true ? { mustExist: true } : {}),
    ...(config.headCacheStreamsMax === undefined ? {} : { headCacheStreamsMax: config.headCacheStreamsMax }),
    ...(config.writerThread === true ? { writerThread: true } : {}),
    ...(config.pageCacheKib === undefined ? {} : { pageCacheKib: config.pageCacheKib }),
    migration: {
      ...(options.onMigrationProgress === undefined ? {} : { onProgress: options.onMigrationProgress }),
      ...(options.dataDirLock === undefined
        ? { exclusive: (fromVersion: number) => lockForMigration(directory, path, fromVersion) }
        : {}),
    },
  });
}

/** The data directory's lock for the length of a migration; its release is what is returned. */
function lockForMigration(directory: string, path: string, fromVersion: number): () => void {
  try {
    const lock = lockDataDir(directory);
    return () => lock.release();
  } catch (error) {
    if (!isLedgerOpenError(error) || error.reason !== 'locked') throw error;
    throw new LedgerOpenError(
      'locked',
      `${path} has schema version ${fromVersion} and must be migrated, which needs its data directory to itself: ${error.message}`,
      { cause: error },
    );
  }
}

async function reachable(config: StoreConfig, store: EventStore): Promise<EventStore> {
  try {
    await store.headPosition();
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    const cause = error instanceof Error ? error.message : String(error);
    throw new LedgerOpenError(
      'unreachable',
      `cannot reach the event store (${describeStore(config)}): ${cause}`,
      {
        cause: error,
      },
    );
  }
}

/** Socket errors of a server that is not there (or not reachable) by name or address. */
const SOCKET_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/**
 * A PostgreSQL server that cannot be used as configured: not reachable, refusing the connection
 * (SQLSTATE class 08), the credentials (class 28), no such database (3D000), not accepting
 * connections yet (57P03), or not speaking TLS as the URL asks. Anything else (a migration that
 * fails, say) keeps its own error.
 */
function isConnectionFailure(error: unknown): boolean {
  // A URL asking for TLS (sslmode=require) of a server that offers none: the driver's words, no code.
  if (error instanceof Error && /does not support SSL connections/.test(error.message)) return true;
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  if (typeof code !== 'string') return false;
  // A Unix-socket directory (`?host=/run/postgresql`) with no server's socket in it.
  if (code === 'ENOENT' && syscall === 'connect') return true;
  return (
    SOCKET_FAILURES.has(code) ||
    TLS_FAILURES.has(code) ||
    /^(08|28)/.test(code) ||
    code === '3D000' ||
    code === '57P03'
  );
}

/** A TLS handshake that fails on the server's certificate (sslmode=verify-full, the driver's default for require). */
const TLS_FAILURES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** One line for a person reading a terminal or a plain log. */
export function describeMigrationProgress(progress: SchemaMigrationProgress): string {
  const versions = `schema version ${progress.fromVersion} to ${progress.toVersion}`;
  switch (progress.phase) {
    case 'start':
      return `event store: migrating ${versions}: ${progress.events} events in ${progress.streams} streams, in one transaction`;
    case 'progress':
      return `event store: migrating ${versions}: ${progress.eventsDone}/${progress.events} events, ${progress.eventsPerSecond} events/s`;
    case 'finish':
      return `event store: migrated ${versions}: ${progress.events} events in ${(progress.elapsedMs / 1000).toFixed(1)} s (${progress.eventsPerSecond} events/s)`;
  }
}
