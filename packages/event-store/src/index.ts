export type * from './port.js';
export { capabilitiesOf, changeLogOf, offers, payloadReaderOf } from './port.js';
export * from './errors.js';
export * from './limits.js';
export * from './hash-chain.js';
