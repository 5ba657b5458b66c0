/**
 * The LeaderDeps of a scheduler process: the store, the event stream, the agents' queues, the
 * pending-task counters, the run-time settings and pass statistics in Redis.
 */
import { declaredCapacity, isDelegatedHost } from './placer/index.js';
import type { Config, HostInfo, SchedulingPolicy } from '@god/core';
import {
  counterNames,
  createEventConsumer,
  lastEventId,
  readMaintenanceFlag,
  type Counters,
  type DispatchQueue,
  type EventPublisher,
  type Keys,
  type Queues,
} from '@god/coord';
import type { Store } from '@god/store';
import type { Redis } from 'ioredis';
import type { LeaderDeps, Logger } from './leader-deps.js';

/** Everything a scheduler process is built from (made by main.ts or a test). */
export interface SchedulerDeps {
  config: Config;
  store: Store;
  /** Commands (events, counters, hosts). */
  redis: Redis;
  /** A dedicated connection for the lease (fails fast when Redis is down). */
  leaseRedis: Redis;
  keys: Keys;
  queues: Queues;
  publisher: EventPublisher;
  counters: Counters;
  /** Hosts with a fresh heartbeat. */
  hosts(maxAgeMs: number): Promise<HostInfo[]>;
  holderId: string;
  logger: Logger;
  now?: () => number;
}

/** What the wiring needs besides the process's deps. */
export interface WiringExtras {
  config: Config;
  outbox: DispatchQueue;
  makePolicy(config: Config): SchedulingPolicy;
  logger: Logger;
  now(): number;
}

/** The deps of a leader term with settings `config`. */
export function leaderDepsOf(deps: SchedulerDeps, x: WiringExtras): LeaderDeps {
  const { config, outbox, logger: log } = x;
  return {
    store: deps.store,
    config,
    makePolicy: () => x.makePolicy(config),
    hosts: async () =>
      (await deps.hosts(config.scheduler.host_timeout_ms)).filter((h) => !isDelegatedHost(h)),
    executorCapacity: async () => {
      const alive = await deps.hosts(config.scheduler.host_timeout_ms);
      return new Map(
        alive
          .filter(isDelegatedHost)
          .map((h) => [h.name, { declared: declaredCapacity(h), reported: h.free ?? null }]),
      );
    },
    lastEventId: () => lastEventId(deps.redis, deps.keys),
    consume: async (from, handler, signal) => {
      if (signal.aborted) return; // an aborted signal never fires 'abort' again
      const consumer = createEventConsumer({
        redis: deps.redis,
        keys: deps.keys,
        from,
        logger: log,
      });
      signal.addEventListener('abort', () => void consumer.stop(), { once: true });
      await consumer.run(async (e) => {
        if (!signal.aborted) await handler(e.event.type, e.event.jobId);
      });
    },
    dispatch: (messages) => outbox.dispatch(messages),
    control: (host, msg) => outbox.control(host, msg),
    publish: async (type, data) => {
      await deps.publisher.publish(type, data);
    },
    rebuildCounters: (byUser) => rebuildCounters(deps.counters, byUser),
    adjustCounters: (deltaByUser) => adjustCounters(deps.counters, deltaByUser),
    recordPass: async (stats) => {
      await deps.redis
        .multi()
        .hincrby(deps.keys.schedulerStats(), 'decisions', stats.placed)
        .hincrby(deps.keys.schedulerStats(), 'passes', 1)
        .hincrby(deps.keys.schedulerStats(), 'conflicts', stats.conflicts)
        .exec();
    },
    maintenanceFlag: () => readMaintenanceFlag(deps.redis, deps.keys),
    logger: log,
    now: () => x.now(),
  };
}

/** Writes pending-task counts over the counters (per user, and overall). */
async function rebuildCounters(
  counters: Counters,
  byUser: ReadonlyMap<string, number>,
): Promise<void> {
  const values = new Map<string, number>();
  let total = 0;
  for (const [user, n] of byUser) {
    values.set(counterNames.pendingOfUser(user), n);
    total += n;
  }
  values.set(counterNames.pending(), total);
  await counters.rebuild(values);
}

/** Adds signed per-user changes of pending tasks to the counters (per user, and overall). */
async function adjustCounters(
  counters: Counters,
  deltaByUser: ReadonlyMap<string, number>,
): Promise<void> {
  let total = 0;
  for (const [user, n] of deltaByUser) {
    total += n;
    await addTo(counters, counterNames.pendingOfUser(user), n);
  }
  await addTo(counters, counterNames.pending(), total);
}

/** Adds `n` (any sign) to a counter: above its limit too, since the tasks are there already. */
async function addTo(counters: Counters, name: string, n: number): Promise<void> {
  if (n > 0) await counters.incrWithin(name, n, 0);
  else if (n < 0) await counters.decr(name, -n);
}
