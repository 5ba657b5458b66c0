/** The built-in watcher plugins, in one static registry. */
import { createRegistry, type WatcherDefinition } from '@god/core';
import maxlifespan from '@god/watcher-maxlifespan';

/** Watcher plugins by name (`maxlifespan`). */
export const watcherPlugins = createRegistry<WatcherDefinition>('watcher', [maxlifespan]);
