/**
 * Opening the event store and its read models together, as the CLI (and the API) choose them:
 * SQLite under a data directory by default (`ledger.sqlite` for events, `projections.sqlite` for
 * read models, each its own file), or both in one PostgreSQL schema.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventStore } from '@timebank/event-store';
import { createPostgresEventStore } from '@timebank/event-store-postgres';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import type { ReadModelDatabase } from './dialect/dialect.js';
import { openPostgresReadModels } from './dialect/postgres.js';
import { openSqliteReadModels } from './dialect/sqlite.js';
import { ProjectionError } from './errors.js';

/** File names inside the data directory; the event store's matches services/ledger-api. */
export const EVENT_STORE_FILE = 'ledger.sqlite';
export const READ_MODELS_FILE = 'projections.sqlite';

export type BackendConfig =
  | { readonly engine: 'sqlite'; readonly dataDir: string }
  | { readonly engine: 'postgres'; readonly postgresUrl: string; readonly postgresSchema: string };

export interface Backends {
  readonly store: EventStore;
  readonly db: ReadModelDatabase;
  close(): Promise<void>;
}

/**
 * Opens both. `mustExist` refuses to create an empty SQLite store, so that an auditor who
 * mistypes `--data-dir` gets an error instead of a clean verification of nothing.
 */
export async function openBackends(
  config: BackendConfig,
  options: { mustExist: boolean },
): Promise<Backends> {
  if (config.engine === 'sqlite') {
    const directory = resolve(config.dataDir);
    const storePath = join(directory, EVENT_STORE_FILE);
    if (options.mustExist && !existsSync(storePath)) {
      throw new ProjectionError(
        'PROJECTION_INVALID_ARGUMENT',
        `no event store at ${storePath} (check --data-dir)`,
      );
    }
    mkdirSync(directory, { recursive: true });
    const store = createSqliteEventStore({ path: storePath });
    const db = openSqliteReadModels({ path: join(directory, READ_MODELS_FILE) });
    return {
      store,
      db,
      close: async () => {
        await store.close();
        await db.close();
      },
    };
  }
  const store = await createPostgresEventStore({
    connectionString: config.postgresUrl,
    schema: config.postgresSchema,
  });
  try {
    const db = await openPostgresReadModels({
      connectionString: config.postgresUrl,
      schema: config.postgresSchema,
    });
    return {
      store,
      db,
      close: async () => {
        await store.close();
        await db.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
