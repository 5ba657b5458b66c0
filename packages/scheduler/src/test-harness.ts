/**
 * Test support for scheduler integration tests: a fresh SQLite store, the real Redis of the test
 * setup under a random prefix, the real agent with the fake executor, and a real scheduler.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EVENTS,
  newJobFromSubmission,
  parseJobSubmission,
  resolveConfig,
  type Config,
  type Job,
  type JobSubmissionInput,
} from '@god/core';
import {
  createCounters,
  createEventPublisher,
  createKeys,
  createNodeRegistry,
  createQueues,
  createRedisFromUrl,
  redisOptionsFromUrl,
  silentLogger,
  type Keys,
  type Queues,
  type Redis,
} from '@god/coord';
import { createAgent, type Agent } from '@god/agent';
import { fakeExecutor, FakeExecutorConfigSchema, type FakeExecutor } from '@god/executor-fake';
import { createStore, type Store, type User } from '@god/store';
import { waitFor as kitWaitFor } from '@god/testkit';
import { inject } from 'vitest';
import { createScheduler, type Scheduler } from './scheduler.js';

/**
 * The test kit's waitFor with the scheduler tests' longer default deadline (15 s: a pass, a
 * dispatch and an agent start on a loaded machine) and their positional timeout.
 */
export function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
): ReturnType<typeof kitWaitFor<T>> {
  return kitWaitFor(what, check, { timeoutMs });
}

/** Options of a scheduler test environment. */
export interface EnvOptions {
  /** `--set` style config overrides. */
  sets?: string[];
  /** Fake cluster shape (defaults: 2 hosts x 2 shards x 4 cores, 16 GB per shard). */
  hosts?: Record<string, unknown>;
  /** More fake executor settings (e.g. `delegated`). */
  fake?: Record<string, unknown>;
  /** What the schedulers get instead of the store itself (e.g. a decorator counting writes). */
  schedulerStore?: (store: Store) => Store;
}

/** A scheduler, an agent and their services, for one test. */
export class SchedulerEnv {
  readonly keys: Keys = createKeys(`t-${randomBytes(6).toString('hex')}`);
  readonly redis: Redis;
  readonly queues: Queues;
  readonly executor: FakeExecutor;
  readonly agent: Agent;
  readonly schedulers: Scheduler[] = [];
  private readonly extraRedis: Redis[] = [];

  private constructor(
    readonly store: Store,
    readonly config: Config,
    private readonly dir: string,
    fake: Record<string, unknown>,
    private readonly schedulerStore: Store = store,
  ) {
    const url = inject('redisUrl');
    this.redis = createRedisFromUrl(url);
    this.queues = createQueues({ connection: redisOptionsFromUrl(url), keys: this.keys });
    const fakeConfig = FakeExecutorConfigSchema.parse(fake);
    this.executor = fakeExecutor.create(fakeConfig, {
      logger: silentLogger,
      now: () => Date.now(),
    });
    this.agent = createAgent({
      store,
      redis: this.redis,
      keys: this.keys,
      queues: this.queues,
      executor: this.executor,
      logger: silentLogger,
      heartbeatMs: 500,
      concurrency: 64,
    });
  }

  /** A fresh environment; the agent is started, no scheduler yet. */
  static async create(opts: EnvOptions = {}): Promise<SchedulerEnv> {
    const dir = await mkdtemp(join(tmpdir(), 'god-sched-'));
    const config = resolveConfig({
      sets: [
        `store.sqlite.path=${join(dir, 'god.db')}`,
        'scheduler.interval_ms=50',
        'scheduler.lease.ttl_ms=1500',
        'scheduler.lease.renew_deadline_ms=1000',
        'scheduler.lease.retry_ms=200',
        'scheduler.host_timeout_ms=2000',
        ...(opts.sets ?? []),
      ],
    });
    const store = await createStore(config.store);
    const env = new SchedulerEnv(
      store,
      config,
      dir,
      {
        hosts: opts.hosts ?? { count: 2, shardsPerHost: 2, coresPerShard: 4, ramPerShardGB: 16 },
        ...opts.fake,
      },
      opts.schedulerStore?.(store),
    );
    await env.agent.start();
    return env;
  }

  /** Starts one more scheduler contender. */
  async startScheduler(config: Config = this.config): Promise<Scheduler> {
    const url = inject('redisUrl');
    const redis = createRedisFromUrl(url);
    const leaseRedis = createRedisFromUrl(url, { enableOfflineQueue: false });
    this.extraRedis.push(redis, leaseRedis);
    const registry = createNodeRegistry({ redis, keys: this.keys });
    const s = createScheduler({
      config,
      store: this.schedulerStore,
      redis,
      leaseRedis,
      keys: this.keys,
      queues: this.queues,
      publisher: createEventPublisher({ redis, keys: this.keys }),
      counters: createCounters({ redis, keys: this.keys }),
      hosts: async (maxAgeMs) => (await registry.alive(maxAgeMs)).map((h) => h.host),
      holderId: `test-${this.schedulers.length}`,
      logger: silentLogger,
    });
    this.schedulers.push(s);
    await s.start();
    return s;
  }

  /** Validates and stores a job of `user`, then wakes the scheduler (as the API will). */
  async submit(input: Partial<JobSubmissionInput>, user = 'alice', uid = 1001): Promise<Job> {
    const sub = parseJobSubmission({
      container: { image: 'busybox' },
      command: { cmd: 'true' },
      ...input,
    });
    const [job] = await this.store.insertJobs([
      newJobFromSubmission(sub, { id: user, uid, gid: uid, sgids: [] }),
    ]);
    await createEventPublisher({ redis: this.redis, keys: this.keys }).publish(EVENTS.submitted, {
      jobId: job!.id,
    });
    return job!;
  }

  /** Publishes a `job.changed` event (after a hold, release or kill done on the store). */
  async changed(jobId: number): Promise<void> {
    await createEventPublisher({ redis: this.redis, keys: this.keys }).publish(EVENTS.changed, {
      jobId,
    });
  }

  /** Waits until job `id` satisfies `check`, returning it. */
  waitJob(id: number, what: string, check: (j: Job) => boolean, timeoutMs?: number): Promise<Job> {
    return waitFor(
      `job ${id} ${what}`,
      async () => {
        const j = await this.store.getJob(id);
        return j !== null && check(j) ? j : null;
      },
      timeoutMs,
    );
  }

  /** Puts a user with a priority and optional quota in the store. */
  async putUser(id: string, over: Partial<User> = {}): Promise<void> {
    await this.store.putUser({
      id,
      uid: 1001,
      gid: 1001,
      sgids: [],
      home: `/home/${id}`,
      email: '',
      admin: false,
      priority: 50,
      quota: null,
      passwordHash: null,
      createdAt: Date.now(),
      ...over,
    });
  }

  /** Stops everything and removes the temp dir. */
  async close(): Promise<void> {
    for (const s of this.schedulers) await s.stop().catch(() => undefined);
    await this.agent.stop();
    await this.executor.close();
    await this.queues.closeAll();
    for (const r of [this.redis, ...this.extraRedis]) r.disconnect();
    await this.store.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
