import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SnapshotStore } from '@timebank/event-store';
import { createSqliteSnapshotStore } from '@timebank/event-store-sqlite';
import { openDerivedSqliteFile, type SetAsideNotice } from './derived-file.js';
import { SNAPSHOTS_FILE } from './file-names.js';
import type { StoreConfig } from './store-config.js';
import { withLibpqSslModes } from './postgres-ssl-mode.js';

/**
 * The snapshot store for the configured engine: SQLite keeps `snapshots.sqlite` beside the event
 * store, PostgreSQL the `snapshots` table of the event store's schema (open the event store
 * first: its migrations create the table). EventStoreDB keeps none (undefined): its streams are
 * folded in full on a cold load. A SQLite file that is not a database is moved aside and started
 * afresh (`notice` is told): snapshots are written again as streams are folded.
 */
export async function openSnapshotStore(
  config: StoreConfig,
  notice: SetAsideNotice = (message) => console.warn(message),
): Promise<SnapshotStore | undefined> {
  switch (config.engine) {
    case 'sqlite': {
      const directory = resolve(config.dataDir);
      mkdirSync(directory, { recursive: true });
      return openDerivedSqliteFile(
        join(directory, SNAPSHOTS_FILE),
        (path) => createSqliteSnapshotStore({ path }),
        notice,
      );
    }
    case 'postgres': {
      // Imported only when chosen, as in open-event-store.ts.
      const { createPostgresSnapshotStore } = await import('@timebank/event-store-postgres');
      return createPostgresSnapshotStore({
        connectionString: withLibpqSslModes(config.url),
        schema: config.schema,
        ...(config.timeouts === undefined ? {} : { timeouts: config.timeouts }),
      });
    }
    case 'esdb':
      return undefined;
  }
}
