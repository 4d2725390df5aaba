import { join, resolve } from 'node:path';
import { EVENT_STORE_FILE } from './file-names.js';
import type { StoreConfig } from './store-config.js';

/** Where the store lives, for start-up messages and errors (without credentials). */
export function describeStore(config: StoreConfig): string {
  switch (config.engine) {
    case 'sqlite':
      return `sqlite at ${join(resolve(config.dataDir), EVENT_STORE_FILE)}`;
    case 'postgres':
      return `postgres schema ${config.schema} at ${postgresHost(config.url)}`;
    case 'esdb':
      return `esdb at ${config.url.replace(/\/\/[^@/]*@/, '//')}`;
  }
}

/**
 * The host and port of a PostgreSQL URL, or the Unix-socket directory it names
 * (`postgres://user@/db?host=/run/postgresql`, which the driver accepts and WHATWG URL does not:
 * describing it threw `Invalid URL` in place of the error being reported). Never credentials.
 */
function postgresHost(url: string): string {
  let host = '';
  try {
    host = new URL(url).host;
  } catch {
    // An empty host (a socket directory in the query) is no WHATWG URL.
  }
  if (host !== '') return host;
  const socket = /[?&]host=([^&]*)/.exec(url)?.[1];
  return socket === undefined || socket === '' ? 'the default host' : decodeURIComponent(socket);
}
