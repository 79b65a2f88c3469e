export * from './event-ingestion.js';
export * from './event-store.js';
export * from './event-store.module.js';
export * from './log-position.js';
export * from './migrate.js';
export * from './postgres-pool.js';
export * from './relay-checkpoints.js';
export type { Migration } from './migrations/index.js';
