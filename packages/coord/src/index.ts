/** @god/coord: god's coordination on Redis (keys, leader lease, events, counters, BullMQ queues). */

/** Key builders for every Redis key god uses, plus counter and queue names. */
export { createKeys, counterNames, queueNames, type Keys } from './keys.js';
/** The ioredis client type, so that users of coord need not depend on ioredis themselves. */
export type { Redis } from 'ioredis';
/** ioredis clients and options from the `redis` config section or a URL. */
export {
  createRedis,
  createRedisFromUrl,
  redisOptions,
  redisOptionsFromUrl,
  type RedisConfig,
  type RedisConnection,
} from './redis.js';
/** Secrets kept in owner-only files (Redis password, token-signing secret). */
export { ensureSecretFile, readSecretFile } from './secret-file.js';
/** Leader election with a renewed, fenced Redis lease. */
export {
  checkLeaseTiming,
  createLeaderElector,
  type LeaderElector,
  type LeaderElectorOptions,
  type LeaseTiming,
  type StopReason,
} from './lease.js';
/** Fencing and diagnostics on a lease from any process. */
export { currentEpoch, isEpochCurrent, leaseHolder } from './lease-scripts.js';
/** The event stream: publisher, consumer and the newest event id. */
export {
  createEventConsumer,
  createEventPublisher,
  lastEventId,
  type EventConsumer,
  type EventConsumerOptions,
  type EventData,
  type EventPublisher,
  type GodEvent,
  type JsonValue,
  type StreamEvent,
} from './events.js';
/** Atomic, bounded rate-limit counters. */
export { createCounters, type CounterLimit, type Counters, type IncrResult } from './counters.js';
/** The cluster-wide maintenance flag (`god maintenance`, the web's /maintenance). */
export { isMaintenanceOn, readMaintenanceFlag, setMaintenanceFlag } from './maintenance.js';
/** Agent hosts, their shards and heartbeats. */
export { createNodeRegistry, type NodeEntry, type NodeRegistry } from './registry.js';
/** BullMQ queues and workers under god's prefix. */
export { createQueues, type Queues, type QueueSettings, type WorkerSettings } from './queues.js';
/** Control and archive requests: their schemas and the producers other processes call. */
export {
  CONTROL_ACTIONS,
  ArchiveRequestSchema,
  ControlRequestSchema,
  parseArchiveRequest,
  parseControlRequest,
  requestArchive,
  requestControl,
  type ArchiveRequest,
  type ControlAction,
  type ControlRequest,
  type ControlRequestInput,
} from './requests.js';
/** The scheduler's batched placements to shard queues and control requests to host queues. */
export { createDispatchQueue, type DispatchQueue } from './dispatch-queue.js';
/** The minimal pino-compatible logger coord accepts, and a silent default. */
export { silentLogger, type ChildLogger, type LogFn, type Logger } from './logger.js';
/** Running jobs' usage samples for live charts (agent writes, web reads). */
export {
  LIVE_USAGE_SAMPLES,
  publishLiveUsage,
  readLiveUsage,
  type LiveUsageSample,
} from './live-usage.js';
