export type * from './port.js';
export type * from './snapshot-store.js';
export {
  capabilitiesOf,
  changeFeedOf,
  changeLogOf,
  idempotencyClaimsOf,
  offers,
  payloadReaderOf,
} from './port.js';
export * from './errors.js';
export * from './limits.js';
export * from './hash-chain.js';
export { startModuleWorker } from './module-worker.js';
