/**
 * The part of core that runs in a browser (no Node built-ins, no zod, no YAML): the job model,
 * its state machine and the unit parsers, so the web UI checks what users type by the very rules
 * the API applies. Imported as `@god/core/browser`.
 */
export * from './errors.js';
export * from './job-state.js';
export * from './job.js';
export * from './units.js';
