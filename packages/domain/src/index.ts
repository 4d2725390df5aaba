/** @timebank/domain: the pure time-bank domain. No I/O, no clock, no randomness. */
export * from './accounts.js';
export * from './commands/index.js';
export * from './errors.js';
export * from './events/index.js';
export * from './rules.js';
export * from './streams.js';
export * from './time.js';
