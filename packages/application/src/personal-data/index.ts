export * from './erasure.js';
export * from './field-sealer.js';
export * from './personal-fields.js';
export * from './personal-key-store.js';
export * from './personal-keys.js';
export * from './sealing-store.js';
