export * from './hold-expiry-job.js';
export * from './scheduler.js';
export * from './reaction-healing-job.js';
export * from './points-expiry-job.js';
export * from './due-sweep.js';
export * from './retention-erasure-job.js';
