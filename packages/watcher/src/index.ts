/** @god/watcher: the watcher role (control requests, watcher plugins, lost-host reconciliation). */
export { createWatcher, type Watcher, type WatcherOptions } from './watcher.js';
export { startWatcherProcess, createWatcherPlugins, type WatcherProcess } from './main.js';
/** Control requests: their schema and how other processes (web, CLI) send them. */
export {
  CONTROL_ACTIONS,
  ControlRequestSchema,
  parseControlRequest,
  requestControl,
  type ControlRequest,
  type ControlRequestInput,
} from './requests.js';
export { handleRequest, type RequestDeps, type RequestResult } from './control.js';
export {
  LostHostSweeper,
  lostDecision,
  type LostDecision,
  type SweepResult,
} from './lost-hosts.js';
export { runPlugin, runningJobs } from './plugins.js';
export { watcherPlugins } from './registry.js';
