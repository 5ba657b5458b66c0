/**
 * One run of the scheduler benchmark (see scheduler.ts): pending jobs in a SQLite file, fake
 * hosts in the node registry, then a real scheduler built with createScheduler, measured from
 * the outside through its logger (rebuild) and its queues (dispatched placements).
 */
import { once } from 'node:events';
import { newJobFromSubmission, parseJobSubmission, type Config, type NewJob } from '@god/core';
import {
  createCounters,
  createEventPublisher,
  createKeys,
  createNodeRegistry,
  createQueues,
  createRedis,
  redisOptions,
  type Queues,
  type Redis,
} from '@god/coord';
import { buildHosts, FakeExecutorConfigSchema, type GeneratedHosts } from '@god/executor-fake';
import { createScheduler, type Logger } from '@god/scheduler';
import { createSqliteStore, type Store } from '@god/store';

/** What one (policy, size) run measured. */
export interface RunResult {
  policy: string;
  pending: number;
  rebuildMs: number;
  decisions: number;
  decisionsMs: number;
  decisionsPerSecond: number;
  /** Mean store time per job of the `pending -> scheduled` CAS (batched: per job of a batch). */
  transitionUs: number;
  /** Wall time of BullMQ `addBulk` calls (all shards at once) per decision while measuring. */
  dispatchUs: number;
  heapBytesPerJob: number;
  rssBytesPerJob: number;
  /** Highest RSS of the benchmark process so far (it runs every size in turn). */
  maxRssBytes: number;
}

const INSERT_BATCH = 5_000;

/** Inserts `count` pending 1-core, 1 GB jobs of `users` users; resolves to the time it took. */
export async function insertPending(store: Store, count: number, users: number): Promise<number> {
  const sub = parseJobSubmission({
    container: { image: 'god-test/busybox:latest' },
    command: { cmd: '#!/bin/sh\necho hello\n' },
    requirements: { cpu: 1, ram: 1, maxlifespan: 3600 },
  });
  const base = Date.now() - count;
  const t0 = performance.now();
  for (let first = 0; first < count; first += INSERT_BATCH) {
    const jobs: NewJob[] = [];
    for (let i = first; i < Math.min(count, first + INSERT_BATCH); i++) {
      const u = i % users;
      const owner = { id: `user${u}`, uid: 10_000 + u, gid: 10_000 + u, sgids: [] };
      // One millisecond apart: FIFO order is submission order, as in a real queue.
      jobs.push(newJobFromSubmission(sub, owner, base + i));
    }
    await store.insertJobs(jobs);
  }
  return performance.now() - t0;
}

/** Registers the generated fake hosts (with a fresh heartbeat) under the config's prefix. */
export async function registerHosts(config: Config, shape: Partial<GeneratedHosts>): Promise<void> {
  const redis = createRedis(config.redis);
  try {
    const registry = createNodeRegistry({ redis, keys: createKeys(config.redis.prefix) });
    const hosts = buildHosts(FakeExecutorConfigSchema.parse({ hosts: shape }).hosts);
    await Promise.all(hosts.map((h) => registry.register(h)));
  } finally {
    redis.disconnect();
  }
}

/** JSON.stringify replacer that shows an Error's message, code and first stack frames. */
function errorFields(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  return { message: value.message, code, stack: value.stack?.split('\n').slice(1, 4).join(' | ') };
}

/** A logger that keeps the scheduler's messages (with their time) and lets one wait for one. */
function recordingLogger(): Logger & { waitFor(msg: string): Promise<Record<string, unknown>> } {
  const waiting = new Map<string, (fields: Record<string, unknown>) => void>();
  const record =
    (level: string, show: boolean) =>
    (fields: object, msg: string): void => {
      if (show) console.log(`    [${level}] ${msg} ${JSON.stringify(fields, errorFields)}`);
      waiting.get(msg)?.({ ...fields });
    };
  return {
    debug: record('debug', false),
    info: record('info', false),
    warn: record('warn', true),
    error: record('error', true),
    waitFor: (msg) => new Promise((done) => waiting.set(msg, done)),
  };
}

/** Time spent (ms) in the store's transitions and the queues' `addBulk`, while measuring. */
interface Spent {
  transitionMs: number;
  transitions: number;
  dispatchMs: number;
}

/** The store, with the time its transitions take added to `spent`. */
function timedStore(store: Store, spent: Spent): Store {
  const transition: Store['transition'] = async (...args) => {
    const t0 = performance.now();
    try {
      return await store.transition(...args);
    } finally {
      spent.transitionMs += performance.now() - t0;
      spent.transitions += 1;
    }
  };
  // A batch counts as one transition per job it carries: the figure is the cost per decision.
  const transitionMany: Store['transitionMany'] = async (items, options) => {
    const t0 = performance.now();
    try {
      return await store.transitionMany(items, options);
    } finally {
      spent.transitionMs += performance.now() - t0;
      spent.transitions += items.length;
    }
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'transition') return transition;
      if (prop === 'transitionMany') return transitionMany;
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}

/** The queues, with a count of the placements dispatched (resolving `reached(n)`). */
function countingQueues(
  queues: Queues,
  spent: Spent,
): Queues & { reached(n: number): Promise<void> } {
  let added = 0;
  let target = Infinity;
  let hit: () => void = () => undefined;
  // A pass adds to every shard's queue at once: count the wall time while any add is running.
  let inFlight = 0;
  let since = 0;
  return {
    ...queues,
    createQueue<Data, Result>(name: string, settings = {}) {
      const q = queues.createQueue<Data, Result>(name, settings);
      const addBulk = q.addBulk.bind(q);
      q.addBulk = async (jobs) => {
        if (inFlight++ === 0) since = performance.now();
        const out = await addBulk(jobs).finally(() => {
          if (--inFlight === 0) spent.dispatchMs += performance.now() - since;
        });
        // A queue message may carry a batch of placements (DispatchBatch): count those.
        for (const j of jobs) {
          const batch = (j.data as { batch?: unknown[] } | undefined)?.batch;
          added += Array.isArray(batch) ? batch.length : 1;
        }
        if (added >= target) hit();
        return out;
      };
      return q;
    },
    reached(n) {
      target = n;
      return added >= n ? Promise.resolve() : new Promise((done) => (hit = done));
    },
  };
}

/** A run that has not made its decisions after this long has stalled. */
const STALL_MS = 600_000;

async function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no ${what} after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function ready(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') await once(redis, 'ready');
}

function memory(): { heap: number; rss: number } {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

/** Runs the scheduler of `config` on its store until `decisions` placements are dispatched. */
export async function runScheduler(
  config: Config,
  pending: number,
  decisions: number,
): Promise<RunResult> {
  const spent: Spent = { transitionMs: 0, transitions: 0, dispatchMs: 0 };
  const store = createSqliteStore({ path: config.store.sqlite.path });
  const keys = createKeys(config.redis.prefix);
  const redis = createRedis(config.redis);
  const leaseRedis = createRedis(config.redis, { enableOfflineQueue: false });
  const queues = countingQueues(
    createQueues({ connection: redisOptions(config.redis), keys }),
    spent,
  );
  const registry = createNodeRegistry({ redis, keys });
  const logger = recordingLogger();
  await Promise.all([ready(redis), ready(leaseRedis)]);
  const scheduler = createScheduler({
    config,
    store: timedStore(store, spent),
    redis,
    leaseRedis,
    keys,
    queues,
    publisher: createEventPublisher({ redis, keys }),
    counters: createCounters({ redis, keys }),
    hosts: async (maxAgeMs) => (await registry.alive(maxAgeMs)).map((h) => h.host),
    holderId: 'bench',
    logger,
  });
  try {
    const before = memory();
    const rebuilt = logger.waitFor('leader state rebuilt');
    await scheduler.start();
    const fields = await within(STALL_MS, rebuilt, 'rebuilt leader state');
    // Let the rebuild's last frames unwind, so that only what the leader keeps is counted.
    await new Promise((done) => setTimeout(done, 100));
    const after = memory();
    const loaded = Number(fields['pending']);
    if (loaded !== pending)
      throw new Error(`the leader loaded ${loaded} pending jobs, not ${pending}`);
    Object.assign(spent, { transitionMs: 0, transitions: 0, dispatchMs: 0 });
    const t0 = performance.now();
    await scheduler.setMaintenance(false);
    await within(STALL_MS, queues.reached(decisions), `${decisions} placements dispatched`);
    const decisionsMs = performance.now() - t0;
    return {
      policy: config.scheduler.policy,
      pending,
      rebuildMs: Number(fields['ms']),
      decisions,
      decisionsMs,
      decisionsPerSecond: decisions / (decisionsMs / 1000),
      transitionUs: (spent.transitionMs * 1000) / Math.max(1, spent.transitions),
      dispatchUs: (spent.dispatchMs * 1000) / decisions,
      heapBytesPerJob: (after.heap - before.heap) / pending,
      rssBytesPerJob: (after.rss - before.rss) / pending,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  } finally {
    await scheduler.stop();
    await queues.closeAll();
    redis.disconnect();
    leaseRedis.disconnect();
    await store.close();
  }
}
