/** @god/scheduler: the scheduler role (leader lease, admission, ordering, placement, dispatch). */
export { createScheduler, createPolicy, type Scheduler, type SchedulerDeps } from './scheduler.js';
export { startSchedulerProcess, type SchedulerProcess } from './main.js';
export { Leader, type LeaderDeps, type Logger } from './leader.js';
export { createFencedWriter, FencedError, type FencedWriter } from './fenced-writer.js';
export type { PassStats } from './pass.js';
export { policies } from './registry.js';
export * from './placement/index.js';
export * from './admission.js';
export * from './arrays.js';
