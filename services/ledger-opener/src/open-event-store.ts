import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventStore } from '@timebank/event-store';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { describeStore } from './describe-store.js';
import { EVENT_STORE_FILE } from './file-names.js';
import { LedgerOpenError } from './open-error.js';
import type { StoreConfig } from './store-config.js';

export interface OpenEventStoreOptions {
  /**
   * Refuse to create an empty SQLite store, so that an auditor who mistypes `--data-dir` gets an
   * error instead of a clean verification of nothing. Default false: services create it.
   */
  readonly mustExist?: boolean;
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
      return createSqliteEventStore({
        path,
        ...(config.headCacheStreamsMax === undefined
          ? {}
          : { headCacheStreamsMax: config.headCacheStreamsMax }),
        ...(config.writerThread === true ? { writerThread: true } : {}),
      });
    }
    case 'postgres': {
      const { createPostgresEventStore } = await import('@timebank/event-store-postgres');
      return createPostgresEventStore({ connectionString: config.url, schema: config.schema });
    }
    case 'esdb': {
      const { createEsdbEventStore } = await import('@timebank/event-store-esdb');
      return reachable(config, createEsdbEventStore({ connectionString: config.url }));
    }
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
