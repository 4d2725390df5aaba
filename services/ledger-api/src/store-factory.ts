/**
 * Opens the event store the configuration names. Each adapter owns its driver; this is the only
 * place the API chooses between them.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventStore } from '@timebank/event-store';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { createPostgresEventStore } from '@timebank/event-store-postgres';
import { createEsdbEventStore } from '@timebank/event-store-esdb';
import type { LedgerApiConfig } from './config.js';

/** The SQLite database file inside LEDGER_DATA_DIR. */
export const SQLITE_FILE_NAME = 'ledger.sqlite';

export async function openEventStore(config: LedgerApiConfig['store']): Promise<EventStore> {
  switch (config.engine) {
    case 'sqlite': {
      const directory = resolve(config.dataDir);
      mkdirSync(directory, { recursive: true });
      return createSqliteEventStore({ path: join(directory, SQLITE_FILE_NAME) });
    }
    case 'postgres':
      return createPostgresEventStore({ connectionString: config.url, schema: config.schema });
    case 'esdb':
      return createEsdbEventStore({ connectionString: config.url });
  }
}

/** Where the store lives, for the start-up message (without credentials). */
export function describeStore(config: LedgerApiConfig['store']): string {
  switch (config.engine) {
    case 'sqlite':
      return `sqlite at ${join(resolve(config.dataDir), SQLITE_FILE_NAME)}`;
    case 'postgres':
      return `postgres schema ${config.schema} at ${new URL(config.url).host}`;
    case 'esdb':
      return `esdb at ${config.url.replace(/\/\/[^@/]*@/, '//')}`;
  }
}
