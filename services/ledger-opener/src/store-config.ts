/**
 * Which engine holds the events and where. Each service parses its own environment (or flags)
 * into this shape; the opener takes nothing else.
 */
import type { PostgresTimeouts } from '@timebank/event-store-postgres';

export type StoreConfig =
  | {
      readonly engine: 'sqlite';
      readonly dataDir: string;
      /** Stream heads the append path caches, in streams; default the store's (10,000). */
      readonly headCacheStreamsMax?: number;
      /** Run the store's write connection in its own worker thread (the API's default); default false. */
      readonly writerThread?: boolean;
      /**
       * SQLite's page cache per store connection, in KiB; default SQLite's (16,000). `pnpm ledger`
       * sets `SCAN_PAGE_CACHE_KIB`: see `SqliteEventStoreOptions.pageCacheKib`.
       */
      readonly pageCacheKib?: number;
    }
  | {
      readonly engine: 'postgres';
      readonly url: string;
      readonly schema: string;
      /**
       * Connect and statement timeouts of every connection the ledger opens (event store,
       * read models, snapshots, personal-data keys, sweep lease). Default the event store's
       * (`DEFAULT_POSTGRES_LIMITS`): 10 s to connect, 30 s per statement. Long jobs (`pnpm ledger`
       * rebuild, export, backup…) pass a statement timeout of 0: no limit.
       */
      readonly timeouts?: Partial<PostgresTimeouts>;
    }
  | { readonly engine: 'esdb'; readonly url: string };

/**
 * Page cache of a store that a process reads through once (the `pnpm ledger` commands), in KiB:
 * 1 MiB. A rebuild of 1.1 million events filled the default 16 MiB with pages it never read again;
 * with this its peak RSS was ~14 MiB lower (two alternating pairs). Rereads, where a command makes
 * any, come from the operating system's page cache.
 */
export const SCAN_PAGE_CACHE_KIB = 1024;
