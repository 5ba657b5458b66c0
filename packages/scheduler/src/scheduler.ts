/**
 * The scheduler process: contends for the leader lease; on each term builds a fresh policy and a
 * Leader and runs it until the term ends (lease lost, renew deadline, fenced write, stop). Any
 * number of standbys run the same code and wait for the lease.
 */
import {
  EVENTS,
  dispatchId,
  MAX_DISPATCH_BATCH,
  type DispatchBatch,
  parseOrThrow,
  type Config,
  type ControlMessage,
  type DispatchMessage,
  type HostInfo,
  type SchedulingPolicy,
} from '@god/core';
import {
  counterNames,
  createEventConsumer,
  createLeaderElector,
  lastEventId,
  queueNames,
  type EventPublisher,
  type Keys,
  type LeaderElector,
  type Queues,
  type Counters,
} from '@god/coord';
import type { Store } from '@god/store';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { FencedError } from './fenced-writer.js';
import { Leader, type Logger } from './leader.js';
import { policies } from './registry.js';

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

/** A running scheduler (leader or standby). */
export interface Scheduler {
  start(): Promise<void>;
  /** Stops contending; releases the lease unless `release: false` (a simulated crash). */
  stop(opts?: { release?: boolean }): Promise<void>;
  isLeader(): boolean;
  /** The current leader term, for tests and metrics. */
  leader(): Leader | null;
  /** Pauses or resumes scheduling without losing the lease. */
  /** Pauses or resumes scheduling cluster-wide (the flag `god maintenance` sets). */
  setMaintenance(on: boolean): Promise<void>;
  /** Applies a new configuration (policy settings and priorities take effect at once). */
  reload(config: Config): void;
}

/** Builds the configured policy, validating its settings from `plugins.<name>`. */
export function createPolicy(config: Config, logger: Logger, now: () => number): SchedulingPolicy {
  const def = policies.get(config.scheduler.policy);
  const settings = parseOrThrow(
    def.configSchema,
    config.plugins[def.name] ?? {},
    `plugins.${def.name}`,
    'INVALID_CONFIG',
  );
  return def.create(settings, { logger, now });
}

/** Creates a scheduler; nothing runs until `start`. */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  let config = deps.config;
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  let current: Leader | null = null;
  const shardQueues = new Map<string, Queue>();
  const queueFor = (name: string): Queue => {
    let q = shardQueues.get(name);
    if (q === undefined) shardQueues.set(name, (q = deps.queues.createQueue(name)));
    return q;
  };

  let stopping = false;
  /** The running (or last) term: `stop` waits for it before closing anything it uses. */
  let term: Promise<void> = Promise.resolve();
  // An elector contends once (`start` after `stop` is refused): a new one for every restart.
  const newElector = (): LeaderElector =>
    createLeaderElector({
      redis: deps.leaseRedis,
      keys: deps.keys,
      name: 'scheduler',
      holderId: deps.holderId,
      ttlMs: config.scheduler.lease.ttl_ms,
      renewDeadlineMs: config.scheduler.lease.renew_deadline_ms,
      retryMs: config.scheduler.lease.retry_ms,
      epochFloor: () => deps.store.fenceEpoch('scheduler'),
      logger: log,
      onStartedLeading: (epoch, signal) => (term = lead(epoch, signal)),
      onStoppedLeading: (reason) => log.info({ reason }, 'stopped leading'),
    });
  let elector = newElector();

  async function lead(epoch: number, signal: AbortSignal): Promise<void> {
    log.info({ epoch }, 'leading');
    const leader = new Leader(leaderDeps(), epoch, signal);
    current = leader;
    try {
      await leader.run();
    } catch (err) {
      // Stopping: the term ends as its connections close; nothing failed.
      if (stopping) return;
      if (err instanceof FencedError) log.warn({ epoch }, 'fenced off by a newer leader');
      else log.error({ err, epoch }, 'leader term failed');
      // A term that cannot go on must not keep the lease: step down, let another take over.
      const failed = elector;
      elector = newElector();
      await failed.stop().catch(() => undefined);
      if (!stopping)
        await elector
          .start()
          .catch((e: unknown) => log.error({ err: e }, 'cannot contend for the lease again'));
    } finally {
      if (current === leader) current = null;
    }
  }

  function leaderDeps(): ConstructorParameters<typeof Leader>[0] {
    const termConfig = config;
    return {
      store: deps.store,
      config,
      makePolicy: () => createPolicy(termConfig, log, now),
      hosts: () => deps.hosts(config.scheduler.host_timeout_ms),
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
      dispatch: (messages: readonly DispatchMessage[]) => dispatch(messages),
      control: async (host: string, msg: ControlMessage) => {
        await queueFor(queueNames.hostControl(host)).add(msg.action, msg);
      },
      publish: async (type, data) => {
        await deps.publisher.publish(type, data);
      },
      rebuildCounters: async (byUser) => {
        const values = new Map<string, number>();
        let total = 0;
        for (const [user, n] of byUser) {
          values.set(counterNames.pendingOfUser(user), n);
          total += n;
        }
        values.set(counterNames.pending(), total);
        await deps.counters.rebuild(values);
      },
      adjustCounters: async (deltaByUser) => {
        let total = 0;
        for (const [user, n] of deltaByUser) {
          total += n;
          await addTo(deps.counters, counterNames.pendingOfUser(user), n);
        }
        await addTo(deps.counters, counterNames.pending(), total);
      },
      recordPass: async (stats) => {
        await deps.redis
          .multi()
          .hincrby(deps.keys.schedulerStats(), 'decisions', stats.placed)
          .hincrby(deps.keys.schedulerStats(), 'passes', 1)
          .hincrby(deps.keys.schedulerStats(), 'conflicts', stats.conflicts)
          .exec();
      },
      maintenanceFlag: async () => {
        const flag = await deps.redis.hget(deps.keys.schedulerSettings(), 'maintenance');
        return flag === null ? null : flag === '1';
      },
      logger: log,
      now,
    };
  }

  async function dispatch(messages: readonly DispatchMessage[]): Promise<void> {
    const byQueue = new Map<string, DispatchMessage[]>();
    for (const m of messages) {
      const name = queueNames.shard(m.host, m.shard);
      const list = byQueue.get(name) ?? [];
      list.push(m);
      byQueue.set(name, list);
    }
    // One queue message per shard and chunk: the agent checks and starts each placement on
    // its own, so a redelivered batch starts nothing twice (its jobs are no longer scheduled).
    await Promise.all(
      [...byQueue].map(([name, list]) => {
        const bulk = [];
        for (let at = 0; at < list.length; at += MAX_DISPATCH_BATCH) {
          const batch = list.slice(at, at + MAX_DISPATCH_BATCH);
          const first = batch[0]!;
          bulk.push({
            name: 'start',
            data: { batch } satisfies DispatchBatch,
            opts: {
              jobId: `${dispatchId(first)}-n${batch.length}`,
              removeOnComplete: true,
              removeOnFail: 1000,
            },
          });
        }
        return queueFor(name).addBulk(bulk);
      }),
    );
  }

  return {
    start: () => elector.start(),
    async stop(opts) {
      stopping = true;
      await elector.stop(opts);
      await term;
      await Promise.all([...shardQueues.values()].map((q) => q.close()));
      shardQueues.clear();
    },
    isLeader: () => elector.isLeader(),
    leader: () => current,
    async setMaintenance(on) {
      // The same flag as `god maintenance`: every scheduler (and the next leader) sees it.
      await deps.redis.hset(deps.keys.schedulerSettings(), 'maintenance', on ? '1' : '0');
      await deps.publisher.publish(EVENTS.settings, { maintenance: on });
    },
    reload(next) {
      createPolicy(next, log, now); // refuses bad plugin settings before anything changes
      config = next;
      current?.reload(leaderDeps());
    },
  };
}

/** Adds `n` (any sign) to a counter: above its limit too, since the tasks are there already. */
async function addTo(counters: Counters, name: string, n: number): Promise<void> {
  if (n > 0) await counters.incrWithin(name, n, 0);
  else if (n < 0) await counters.decr(name, -n);
}
