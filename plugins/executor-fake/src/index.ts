/** The fake executor plugin: simulated hosts and job runs for scheduler tests and benchmarks. */
import type { ExecutorDefinition, PluginContext } from '@god/core';
import { FakeExecutorConfigSchema, type FakeExecutorConfig } from './config.js';
import { createFakeExecutor, type FakeExecutor } from './fake-executor.js';

/** The `fake` executor definition (its `create` returns the diagnostics-bearing FakeExecutor). */
export const fakeExecutor = {
  kind: 'executor',
  name: 'fake',
  configSchema: FakeExecutorConfigSchema,
  create: (config: FakeExecutorConfig, ctx: PluginContext): FakeExecutor =>
    createFakeExecutor(config, ctx),
} as const satisfies ExecutorDefinition<typeof FakeExecutorConfigSchema>;

export default fakeExecutor;

export { buildHosts, FakeExecutorConfigSchema } from './config.js';
export type { FakeExecutorConfig, GeneratedHosts } from './config.js';
export { createFakeExecutor } from './fake-executor.js';
export type { FakeExecutor } from './fake-executor.js';
export { drawUnit, FAKE_ENV, planRun } from './run-plan.js';
export type { RunPlan } from './run-plan.js';
export { createTimerQueue } from './timer-queue.js';
export type { TimerHandle, TimerQueue } from './timer-queue.js';
