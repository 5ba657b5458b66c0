/**
 * The watcher plugin contract. A watcher plugin looks at the running jobs now and then and
 * names the ones to kill (max lifespan, idle interactive sessions, ...). It decides only: the
 * watcher process commits the kills (through the hosts' agents), so plugins stay pure and are
 * tested with plain jobs and clocks.
 */
import type { z } from 'zod';
import type { Config } from './config.js';
import type { Job } from './job.js';
import type { PluginContext, PluginDefinition } from './plugins.js';

/** A job a watcher plugin wants ended, and the reason shown to its owner. */
export interface WatcherVerdict {
  jobId: number;
  reason: string;
}

/** A watcher plugin: checks running jobs every `intervalMs`. */
export interface WatcherPlugin {
  readonly name: string;
  /** How often the watcher calls `check` (ms). */
  readonly intervalMs: number;
  /** The jobs among `running` (state `running`) to kill at time `now` (epoch ms). */
  check(running: readonly Job[], now: number): WatcherVerdict[];
}

/** What a watcher plugin gets besides its own settings. */
export interface WatcherContext extends PluginContext {
  /** god's resolved configuration (defaults such as `scheduler.default_maxlifespan`). */
  config: Config;
}

/** A watcher plugin definition. */
export type WatcherDefinition<S extends z.ZodType = z.ZodType> = PluginDefinition<
  'watcher',
  S,
  WatcherPlugin,
  WatcherContext
>;
