/**
 * Composition root of the scheduler role: opens the store and Redis connections from the
 * configuration, builds the scheduler and returns a handle to stop it. `god scheduler` and
 * `god up` call this; nothing else in the package opens connections.
 */
import { hostname } from 'node:os';
import type { Config } from '@god/core';
import {
  createCounters,
  createEventPublisher,
  createKeys,
  createNodeRegistry,
  createQueues,
  createRedis,
  redisOptions,
} from '@god/coord';
import { createStore } from '@god/store';
import { createScheduler, type Scheduler } from './scheduler.js';
import type { Logger } from './leader-deps.js';

/** A running scheduler process and how to stop it. */
export interface SchedulerProcess {
  scheduler: Scheduler;
  /** Stops contending (releasing the lease) and closes every connection. */
  stop(): Promise<void>;
}

/** Starts the scheduler role: leader when it wins the lease, standby otherwise. */
export async function startSchedulerProcess(
  config: Config,
  logger: Logger,
  holderId = `${hostname()}:${process.pid}`,
): Promise<SchedulerProcess> {
  const store = await createStore(config.store);
  const keys = createKeys(config.redis.prefix);
  const redis = createRedis(config.redis);
  const leaseRedis = createRedis(config.redis, { enableOfflineQueue: false });
  const queues = createQueues({ connection: redisOptions(config.redis), keys, logger });
  const registry = createNodeRegistry({ redis, keys });
  const scheduler = createScheduler({
    config,
    store,
    redis,
    leaseRedis,
    keys,
    queues,
    publisher: createEventPublisher({ redis, keys }),
    counters: createCounters({ redis, keys }),
    hosts: async (maxAgeMs) => (await registry.alive(maxAgeMs)).map((h) => h.host),
    holderId,
    logger,
  });
  // The lease connection queues nothing while offline (a stale renewal must never go out late):
  // wait until it is up, or the first attempt to lead fails for nothing.
  await connected(leaseRedis);
  await scheduler.start();
  return {
    scheduler,
    async stop() {
      await scheduler.stop();
      await queues.closeAll();
      redis.disconnect();
      leaseRedis.disconnect();
      await store.close();
    },
  };
}

/** Resolves once `redis` is ready (or after 5 s: the elector then retries on its own). */
async function connected(redis: ReturnType<typeof createRedis>): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, 5_000);
    redis.once('ready', done);
  });
}
