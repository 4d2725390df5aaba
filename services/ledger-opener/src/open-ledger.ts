import type { EventStore } from '@timebank/event-store';
import {
  ensureCurrentReadModels,
  type ReadModelDatabase,
  type SchemaCheckLogger,
} from '@timebank/projections';
import { openEventStore, type OpenEventStoreOptions } from './open-event-store.js';
import { openReadModels } from './open-read-models.js';
import { privilegeRefusal } from './postgres-privilege.js';
import type { StoreConfig } from './store-config.js';

export interface OpenLedgerOptions {
  /** See OpenEventStoreOptions.mustExist. */
  readonly mustExist?: boolean;
  /** Where SQLite read models live when the store is EventStoreDB. Default ./data. */
  readonly readModelDataDir?: string;
  /**
   * Rebuild read models built by another build (schema fingerprint) before returning them; give
   * it for commands that read the read models. Progress and the reason go to `logger`.
   */
  readonly currentReadModels?: { readonly logger?: SchemaCheckLogger };
  /** See OpenEventStoreOptions.onMigrationProgress. */
  readonly onMigrationProgress?: OpenEventStoreOptions['onMigrationProgress'];
}

export interface OpenedLedger {
  readonly store: EventStore;
  readonly readModels: ReadModelDatabase;
  /** Closes the read models, then the store. */
  close(): Promise<void>;
}

/**
 * Opens the configured store and its read models together, as the auditor CLI and the
 * benchmarks need them; the store is closed again if the read models cannot be opened.
 */
export async function openLedger(
  config: StoreConfig,
  options: OpenLedgerOptions = {},
): Promise<OpenedLedger> {
  const store = await openEventStore(config, {
    ...(options.mustExist === undefined ? {} : { mustExist: options.mustExist }),
    ...(options.onMigrationProgress === undefined
      ? {}
      : { onMigrationProgress: options.onMigrationProgress }),
  });
  let readModels: ReadModelDatabase;
  try {
    readModels = await openReadModels(config, options.readModelDataDir);
  } catch (error) {
    await store.close();
    throw privilegeRefusal(error, config);
  }
  if (options.currentReadModels !== undefined) {
    const { logger } = options.currentReadModels;
    try {
      await ensureCurrentReadModels({ store, db: readModels, ...(logger === undefined ? {} : { logger }) });
    } catch (error) {
      await readModels.close();
      await store.close();
      throw privilegeRefusal(error, config);
    }
  }
  return {
    store,
    readModels,
    close: async () => {
      await store.close();
      await readModels.close();
    },
  };
}
