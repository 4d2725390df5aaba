import { join, resolve } from 'node:path';
import { EVENT_STORE_FILE } from './file-names.js';
import type { StoreConfig } from './store-config.js';

/** Where the store lives, for start-up messages and errors (without credentials). */
export function describeStore(config: StoreConfig): string {
  switch (config.engine) {
    case 'sqlite':
      return `sqlite at ${join(resolve(config.dataDir), EVENT_STORE_FILE)}`;
    case 'postgres':
      return `postgres schema ${config.schema} at ${new URL(config.url).host}`;
    case 'esdb':
      return `esdb at ${config.url.replace(/\/\/[^@/]*@/, '//')}`;
  }
}
