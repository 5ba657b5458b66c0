/** @god/watcher: the watcher role (control requests, watcher plugins, lost-host reconciliation). */
export { createWatcher, type Watcher, type WatcherOptions } from './watcher.js';
export { startWatcherProcess, createWatcherPlugins, type WatcherProcess } from './main.js';
export { handleRequest, type RequestDeps, type RequestResult } from './control.js';
export {
  LostHostSweeper,
  lostDecision,
  type LostDecision,
  type SweepResult,
} from './lost-hosts.js';
export { runPlugin, runningJobs } from './plugins.js';
export { watcherPlugins } from './registry.js';
