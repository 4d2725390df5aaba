/**
 * Which engine holds the events and where. Each service parses its own environment (or flags)
 * into this shape; the opener takes nothing else.
 */
export type StoreConfig =
  | {
      readonly engine: 'sqlite';
      readonly dataDir: string;
      /** Stream heads the append path caches, in streams; default the store's (10,000). */
      readonly headCacheStreamsMax?: number;
      /** Run the store's write connection in its own worker thread (the API's default); default false. */
      readonly writerThread?: boolean;
    }
  | { readonly engine: 'postgres'; readonly url: string; readonly schema: string }
  | { readonly engine: 'esdb'; readonly url: string };
