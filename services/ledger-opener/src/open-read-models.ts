import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openPostgresReadModels, openSqliteReadModels, type ReadModelDatabase } from '@timebank/projections';
import { openDerivedSqliteFile, type SetAsideNotice } from './derived-file.js';
import { DEFAULT_DATA_DIR, READ_MODELS_FILE } from './file-names.js';
import type { StoreConfig } from './store-config.js';
import { withLibpqSslModes } from './postgres-ssl-mode.js';

/**
 * The read-model database beside the store: in PostgreSQL's schema when the store is PostgreSQL,
 * otherwise `projections.sqlite` in the data directory. EventStoreDB has no tables, so its read
 * models live in `readModelDataDir` (default ./data). A SQLite file that is not a database is
 * moved aside and started afresh (`notice` is told): the read models are rebuilt from the events.
 */
export async function openReadModels(
  config: StoreConfig,
  readModelDataDir: string = DEFAULT_DATA_DIR,
  notice: SetAsideNotice = (message) => console.warn(message),
): Promise<ReadModelDatabase> {
  if (config.engine === 'postgres') {
    // Imported only when chosen, as in open-event-store.ts.
    const { driverConnection } = await import('@timebank/event-store-postgres');
    return openPostgresReadModels({
      ...driverConnection(withLibpqSslModes(config.url)),
      schema: config.schema,
      ...(config.timeouts === undefined ? {} : { ...config.timeouts }),
    });
  }
  const directory = resolve(config.engine === 'sqlite' ? config.dataDir : readModelDataDir);
  mkdirSync(directory, { recursive: true });
  return openDerivedSqliteFile(
    join(directory, READ_MODELS_FILE),
    (path) => openSqliteReadModels({ path }),
    notice,
  );
}
