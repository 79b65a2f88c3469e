export * from './claims-keys.js';
export * from './claims-reader.js';
export * from './claims-store.module.js';
export * from './claims-writer.js';
export * from './redis-clients.js';
export * from './projection-state.js';
export * from './delivery-answers.js';
export * from './near-cache.js';
