/** @god/agent: the host agent runtime (executor-agnostic) and the completion of ended jobs. */

/** The agent: registry, shard and control queue workers, exit reports. */
export { createAgent, type Agent, type AgentOptions } from './agent.js';
/** Completion of an exit report (state, usage ledger, `job.ended`), shared with the watcher. */
export {
  createCompletionHandler,
  type CompletionDeps,
  type CompletionHandler,
  type CompletionOptions,
  type CompletionResult,
} from './completion.js';
/** Dispatch and control handling, for tools and tests that drive one message at a time. */
export {
  handleDispatch,
  staleReason,
  type DispatchDeps,
  type DispatchResult,
  type ShardAddress,
} from './dispatch.js';
export { handleControl, type ControlDeps, type ControlResult } from './control.js';
/** Checks of queue message data. */
export { parseControl, parseDispatch } from './messages.js';
/** The agent role's composition root and its executor registry. */
export { startAgentProcess, type AgentProcess } from './main.js';
export { executors } from './registry.js';
export * from './topology/index.js';
