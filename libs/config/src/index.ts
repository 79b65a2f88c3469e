export * from './load-env.js';
export * from './infrastructure-env.js';
export * from './config.module.js';
export * from './logging.module.js';
