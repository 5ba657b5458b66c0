/**
 * Test support for the watcher's integration tests (not exported): a real SQLite store in a temp
 * dir, the real Redis of the test setup under a random key prefix, BullMQ queues, real agents on
 * the fake executor, and builders that play the scheduler's part (place and dispatch).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type Agent } from '@god/agent';
import { dispatchId, resolveConfig, type Config, type Job, type WatcherPlugin } from '@god/core';
import {
  createKeys,
  createQueues,
  createRedisFromUrl,
  queueNames,
  redisOptionsFromUrl,
  requestControl,
  silentLogger,
  type ControlRequestInput,
  type GodEvent,
  type Keys,
  type Queues,
  type Redis,
} from '@god/coord';
import { fakeExecutor, FakeExecutorConfigSchema, type FakeExecutor } from '@god/executor-fake';
import { createStore, type Store } from '@god/store';
import { makeNewJob, services, uniqueName, waitFor, type NewJobOverrides } from '@god/testkit';
import { createWatcher, type Watcher } from './watcher.js';

/** Long enough that a job is still running whatever the test does meanwhile. */
export const LONG = { FAKE_RUNTIME_MS: '600000' };

/** Everything one watcher test needs, built fresh and torn down after the test. */
export class WatcherEnv {
  readonly keys: Keys = createKeys(uniqueName());
  readonly redis: Redis;
  readonly queues: Queues;
  readonly executor: FakeExecutor;
  private readonly agents: Agent[] = [];
  private readonly watchers: Watcher[] = [];

  private constructor(
    readonly store: Store,
    readonly config: Config,
    private readonly dir: string,
  ) {
    const url = services.redisUrl();
    this.redis = createRedisFromUrl(url);
    this.queues = createQueues({ connection: redisOptionsFromUrl(url), keys: this.keys });
    // Two hosts (fake-1, fake-2) of two shards (numa0, numa1).
    const fake = FakeExecutorConfigSchema.parse({ hosts: { count: 2, shardsPerHost: 2 } });
    this.executor = fakeExecutor.create(fake, { logger: silentLogger, now: () => Date.now() });
  }

  /** An environment on a fresh SQLite database and key prefix; `sets` override the config. */
  static async create(sets: string[] = []): Promise<WatcherEnv> {
    const dir = await mkdtemp(join(tmpdir(), 'god-watcher-'));
    const config = resolveConfig({
      sets: [`store.sqlite.path=${join(dir, 'god.db')}`, 'watcher.reconcile_ms=60000', ...sets],
    });
    return new WatcherEnv(await createStore(config.store), config, dir);
  }

  /** Starts an agent on the fake executor (all hosts, or the one named). */
  async startAgent(hostName?: string): Promise<Agent> {
    const agent = createAgent({
      store: this.store,
      redis: this.redis,
      keys: this.keys,
      queues: this.queues,
      executor: this.executor,
      logger: silentLogger,
      heartbeatMs: 50,
      concurrency: 4,
      ...(hostName !== undefined && { hostName }),
    });
    this.agents.push(agent);
    await agent.start();
    return agent;
  }

  /** Starts a watcher with `plugins` (none unless given). */
  async startWatcher(plugins: WatcherPlugin[] = []): Promise<Watcher> {
    const watcher = createWatcher({
      config: this.config,
      store: this.store,
      redis: this.redis,
      keys: this.keys,
      queues: this.queues,
      plugins,
      logger: silentLogger,
    });
    this.watchers.push(watcher);
    await watcher.start();
    return watcher;
  }

  /** Inserts a pending job (or held, with `over.state`). */
  async submit(env: Record<string, string> = {}, over: NewJobOverrides = {}): Promise<Job> {
    const requirements = { ram: 2 * 2 ** 30, ...over.requirements };
    const [job] = await this.store.insertJobs([makeNewJob({ env, ...over, requirements })]);
    if (job === undefined) throw new Error('insertJobs returned nothing');
    return job;
  }

  /** Plays the scheduler leader: places job `id` on `host`/`shard` and dispatches it. */
  async place(id: number, host = 'fake-1', shard = 'numa0'): Promise<Job> {
    const placement = { host, shard, cpus: '0', mems: '0', gpus: [], ports: [] };
    const res = await this.store.transition(id, 'pending', 'scheduled', { placement, epoch: 1 });
    if (!res.ok) throw new Error(`could not place job ${id}: it is ${res.actual}`);
    const msg = { jobId: id, attempt: res.job.attempts, epoch: 1, host, shard };
    const queue = this.queues.createQueue(queueNames.shard(host, shard));
    await queue.add('dispatch', msg, { jobId: dispatchId(msg) });
    return res.job;
  }

  /** Places, dispatches and waits until the job runs. */
  async run(id: number, host = 'fake-1', shard = 'numa0'): Promise<Job> {
    const placed = await this.place(id, host, shard);
    return this.waitFor(id, (j) => j.state === 'running' && j.attempts === placed.attempts);
  }

  /** Sends a control request; resolves to the watcher's answer. */
  async request(msg: ControlRequestInput): Promise<unknown> {
    const id = await requestControl(this.queues, msg);
    return this.answer(id);
  }

  /** The answer to the control request `id`, once handled. */
  async answer(id: string): Promise<unknown> {
    const queue = this.queues.createQueue(queueNames.control);
    const done = await waitFor(`request ${id} to be handled`, async () => {
      const job = await queue.getJob(id);
      return job?.finishedOn === undefined ? null : job;
    });
    if (done.failedReason) throw new Error(`request failed: ${done.failedReason}`);
    return done.returnvalue;
  }

  /** Waits until job `id` satisfies `pred`, and returns it. */
  async waitFor(id: number, pred: (job: Job) => boolean, what = 'a change'): Promise<Job> {
    return waitFor(`job ${id}: ${what}`, async () => {
      const job = await this.store.getJob(id);
      return job !== null && pred(job) ? job : null;
    });
  }

  /** Waits until job `id` is in `state`. */
  waitState(id: number, state: Job['state']): Promise<Job> {
    return this.waitFor(id, (j) => j.state === state, `state ${state}`);
  }

  /** Every event published so far under this environment's prefix. */
  async events(): Promise<GodEvent[]> {
    const entries = await this.redis.xrange(this.keys.events(), '-', '+');
    return entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as GodEvent);
  }

  /** Stops one agent (its jobs keep running in the executor, its heartbeats stop). */
  async stopAgent(agent: Agent): Promise<void> {
    await agent.stop();
  }

  /** Stops watchers and agents, closes everything and removes the database. */
  async close(): Promise<void> {
    for (const w of this.watchers.splice(0)) await w.stop();
    for (const a of this.agents.splice(0)) await a.stop();
    await this.queues.closeAll();
    await this.executor.close();
    await this.store.close();
    this.redis.disconnect();
    await rm(this.dir, { recursive: true, force: true });
  }
}
