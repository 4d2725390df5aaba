export * from './command-handler.js';
export * from './event-ids.js';
export * from './keyed-serializer.js';
export * from './state-cache.js';
