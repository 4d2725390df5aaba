export * from './command-handler.js';
export * from './event-ids.js';
export * from './keyed-serializer.js';
export * from './ledger.js';
export * from './reactor.js';
export type { LoadedStream, StreamIdOf, StreamReader } from './stream-reader.js';
export * from './state-cache.js';
export * from './volunteer-number.js';
