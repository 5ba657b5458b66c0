/** @god/client: the typed client of god's REST API. */
export {
  ApiError,
  GodClient,
  type ClientOptions,
  type FileEntry,
  type JobQuery,
  type Requested,
  type Session,
  type SessionLogin,
} from './client.js';
export { readEvents, type ServerEvent } from './sse.js';
export type {
  Cluster,
  ClusterHost,
  ClusterShard,
  Fairshare,
  Holder,
  Standing,
  TaskSummary,
  LiveUsage,
  UsageBucket,
  UsageHistory,
} from './cluster-types.js';
