export * from './errors.js';
export * from './job-state.js';
export * from './job.js';
export * from './job-schema.js';
export * from './transition.js';
export * from './units.js';
export * from './validation.js';
export * from './config.js';
