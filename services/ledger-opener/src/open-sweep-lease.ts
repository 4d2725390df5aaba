import type { StoreConfig } from './store-config.js';
import { withLibpqSslModes } from './postgres-ssl-mode.js';

/** The lease the scheduler's sweep needs; see `SweepLease` in @timebank/application. */
export interface OpenedSweepLease {
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * On PostgreSQL, an advisory-lock lease shared by every process over the same schema. SQLite has
 * one writer process, which sweeps alone; with EventStoreDB run the sweep in one process (docs/scheduler.md).
 */
export function openSweepLease(config: StoreConfig): OpenedSweepLease {
  if (config.engine === 'postgres') {
    // The adapter is imported only when chosen, as in open-event-store.ts; the lease is made at
    // once, as before, and its calls wait for it.
    const lease = import('@timebank/event-store-postgres').then(({ createPostgresSweepLease }) =>
      createPostgresSweepLease({
        connectionString: withLibpqSslModes(config.url),
        schema: config.schema,
        ...(config.timeouts === undefined ? {} : { timeouts: config.timeouts }),
      }),
    );
    return {
      acquire: async () => (await lease).acquire(),
      release: async () => (await lease).release(),
    };
  }
  return { acquire: async () => true, release: async () => {} };
}
