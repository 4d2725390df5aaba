import { createPostgresSweepLease } from '@timebank/event-store-postgres';
import type { StoreConfig } from './store-config.js';

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
    return createPostgresSweepLease({ connectionString: config.url, schema: config.schema });
  }
  return { acquire: async () => true, release: async () => {} };
}
