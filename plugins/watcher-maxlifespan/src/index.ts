/** The `maxlifespan` watcher plugin: kills running jobs that outlive their max lifespan. */
import type { WatcherContext, WatcherDefinition, WatcherPlugin } from '@god/core';
import { z } from 'zod';
import { overLifespan } from './maxlifespan.js';

/** Settings under `plugins.maxlifespan`. */
export const MaxLifespanConfigSchema = z
  .strictObject({
    /** How often running jobs are checked (ms). */
    interval_ms: z.number().int().positive().default(5_000),
  })
  .prefault({});
export type MaxLifespanConfig = z.output<typeof MaxLifespanConfigSchema>;

/** Creates the plugin on `config` with the global default from `ctx.config`. */
export function createMaxLifespan(config: MaxLifespanConfig, ctx: WatcherContext): WatcherPlugin {
  const defaultSeconds = ctx.config.scheduler.default_maxlifespan;
  return {
    name: 'maxlifespan',
    intervalMs: config.interval_ms,
    check: (running, now) => overLifespan(running, now, defaultSeconds),
  };
}

/** The `maxlifespan` watcher definition, as listed in the watcher's plugin registry. */
export const maxLifespanWatcher: WatcherDefinition<typeof MaxLifespanConfigSchema> = {
  kind: 'watcher',
  name: 'maxlifespan',
  configSchema: MaxLifespanConfigSchema,
  create: createMaxLifespan,
};

export { lifespanOf, overLifespan } from './maxlifespan.js';
export default maxLifespanWatcher;
