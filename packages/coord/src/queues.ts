/**
 * BullMQ queues and workers for god's durable hand-offs between processes: one queue per executor
 * shard (scheduler -> agent), `control` (web -> watcher), `archive` (web -> archiver), `notify`.
 * All use the keyspace's BullMQ prefix (`god:bull`). Queues only send commands, so every queue of
 * a factory shares one connection: a scheduler with a queue per shard of hundreds of hosts would
 * otherwise hold hundreds of connections, each loading BullMQ's scripts on first use. Workers
 * block, so each gets its own connection (with `maxRetriesPerRequest: null`, as BullMQ requires).
 */
import { Queue, Worker, type Processor, type QueueOptions, type WorkerOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Keys } from './keys.js';
import { silentLogger, type Logger } from './logger.js';

/** Queue options the factory does not fix itself. */
export type QueueSettings = Omit<QueueOptions, 'connection' | 'prefix'>;
/** Worker options the factory does not fix itself. */
export type WorkerSettings = Omit<WorkerOptions, 'connection' | 'prefix'>;

/** Makes god's queues and workers and closes them all at shutdown. */
export interface Queues {
  /** The BullMQ prefix all queues use. */
  readonly prefix: string;
  /** A queue to add jobs to (names from `queueNames`). */
  createQueue<Data = unknown, Result = unknown>(
    name: string,
    settings?: QueueSettings,
  ): Queue<Data, Result>;
  /** A worker running `processor` on queue `name`; it starts at once unless `autorun: false`. */
  createWorker<Data = unknown, Result = unknown>(
    name: string,
    processor: Processor<Data, Result>,
    settings?: WorkerSettings,
  ): Worker<Data, Result>;
  /** Closes every worker (letting running jobs finish), then every queue. */
  closeAll(): Promise<void>;
}

/** Creates the factory; `connection` are plain options (no client), so each queue owns its own. */
export function createQueues(deps: {
  /** E.g. `redisOptions(config.redis)`; a custom `retryStrategy` is BullMQ's business, not ours. */
  connection: Omit<RedisOptions, 'retryStrategy'>;
  keys: Keys;
  logger?: Logger;
}): Queues {
  const prefix = deps.keys.bullPrefix;
  const log = deps.logger ?? silentLogger;
  const queues = new Set<Queue<unknown, unknown>>();
  let shared: Redis | null = null;
  const sharedConnection = (): Redis => {
    if (shared === null) {
      shared = new Redis({ ...deps.connection });
      shared.on('error', (err: Error) => log.error({ err }, 'queue connection error'));
    }
    return shared;
  };
  const workers = new Set<Worker<unknown, unknown>>();
  // BullMQ emits 'error' on connection trouble; an EventEmitter 'error' with no listener throws.
  const onError = (name: string) => (err: Error) =>
    log.error({ err, queue: name }, 'queue connection error');

  return {
    prefix,
    createQueue<Data, Result>(name: string, settings: QueueSettings = {}): Queue<Data, Result> {
      // A shared client: BullMQ neither duplicates nor closes a connection it was handed.
      const queue: Queue<Data, Result> = new Queue(name, {
        ...settings,
        connection: sharedConnection(),
        prefix,
      });
      queue.on('error', onError(name));
      queues.add(queue as Queue<unknown, unknown>);
      return queue;
    },
    createWorker<Data, Result>(
      name: string,
      processor: Processor<Data, Result>,
      settings: WorkerSettings = {},
    ): Worker<Data, Result> {
      const worker: Worker<Data, Result> = new Worker(name, processor, {
        ...settings,
        connection: { ...deps.connection, maxRetriesPerRequest: null },
        prefix,
      });
      worker.on('error', onError(name));
      workers.add(worker as Worker<unknown, unknown>);
      return worker;
    },
    async closeAll() {
      // Workers first: they may still be completing jobs on queues we are about to close.
      await Promise.all([...workers].map((w) => w.close()));
      await Promise.all([...queues].map((q) => q.close()));
      workers.clear();
      queues.clear();
      const conn = shared;
      shared = null;
      if (conn !== null) await conn.quit().catch(() => conn.disconnect());
    },
  };
}
