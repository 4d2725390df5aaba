/** Test and benchmark helpers: valid event builders and a fast ledger generator. Not for production code. */
export * from './events.js';
export * from './generate.js';
