/**
 * Composition root of the watcher role: opens the store and Redis from the configuration,
 * creates the enabled watcher plugins (`watcher.plugins`, settings from `plugins.<name>`) and
 * starts the watcher. `god watcher` and `god up` call this.
 */
import { parseOrThrow, type Config, type WatcherPlugin } from '@god/core';
import { createKeys, createQueues, createRedis, redisOptions, type Logger } from '@god/coord';
import { createStore } from '@god/store';
import { watcherPlugins } from './registry.js';
import { createWatcher, type Watcher } from './watcher.js';

/** A running watcher process and how to stop it. */
export interface WatcherProcess {
  watcher: Watcher;
  /** Stops the watcher and closes every connection. */
  stop(): Promise<void>;
}

/** Creates the plugins `config.watcher.plugins` names; an unknown name or bad settings throw. */
export function createWatcherPlugins(config: Config, logger: Logger): WatcherPlugin[] {
  return config.watcher.plugins.map((name) => {
    const def = watcherPlugins.get(name);
    const settings = parseOrThrow(
      def.configSchema,
      config.plugins[def.name] ?? {},
      `plugins.${def.name}`,
      'INVALID_CONFIG',
    );
    return def.create(settings, { logger, now: Date.now, config });
  });
}

/** Starts the watcher role. */
export async function startWatcherProcess(config: Config, logger: Logger): Promise<WatcherProcess> {
  // Plugins first: a bad plugin setting fails before any connection is opened.
  const plugins = createWatcherPlugins(config, logger);
  const store = await createStore(config.store);
  const keys = createKeys(config.redis.prefix);
  const redis = createRedis(config.redis);
  const queues = createQueues({ connection: redisOptions(config.redis), keys, logger });
  const watcher = createWatcher({ config, store, redis, keys, queues, plugins, logger });
  const close = async () => {
    await watcher.stop();
    await queues.closeAll();
    redis.disconnect();
    await store.close();
  };
  try {
    await watcher.start();
  } catch (err) {
    await close();
    throw err;
  }
  return { watcher, stop: close };
}
