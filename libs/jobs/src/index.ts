export * from './queues.js';
export * from './projection-jobs.js';
export * from './rebuild-jobs.js';
export * from './queue-errors.js';
