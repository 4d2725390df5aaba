// The command handler and its cache stay inside: the ledger's API is the way in.
export { ConcurrencyConflictError, type FirstAppendHook, type HandledCommand } from './command-handler.js';
export * from './event-ids.js';
export * from './event-metadata.js';
export * from './keyed-serializer.js';
export * from './ledger.js';
export * from './scheduler/index.js';
export type { LoadedStreamAsOf, StreamCut } from './stream-as-of.js';
export type { CheckedStreamReader, LoadedStream, StreamIdOf, StreamReader } from './stream-reader.js';
export * from './volunteer-number.js';
export * from './personal-data/index.js';
export * from './interchange/index.js';
