export * from './hold-expiry-job.js';
export * from './scheduler.js';
