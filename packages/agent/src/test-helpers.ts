/**
 * Test support for the agent's integration tests (not exported): a real SQLite store in a temp
 * dir, the real Redis of the test setup under a random key prefix, BullMQ queues, the fake
 * executor on a small generated cluster, and builders that play the scheduler's and web's parts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatchId, type ControlMessage, type DispatchMessage, type Job } from '@god/core';
import {
  createKeys,
  createQueues,
  createRedisFromUrl,
  queueNames,
  redisOptionsFromUrl,
  silentLogger,
  type GodEvent,
  type Keys,
  type Queues,
  type Redis,
} from '@god/coord';
import { fakeExecutor, FakeExecutorConfigSchema, type FakeExecutor } from '@god/executor-fake';
import { createStore, type Store } from '@god/store';
import { makeNewJob, makePlacement, services, uniqueName, waitFor } from '@god/testkit';
import { createAgent, type Agent, type AgentOptions } from './agent.js';

/** Everything one agent test needs, built fresh and torn down after the test. */
export class Harness {
  readonly keys: Keys = createKeys(uniqueName());
  readonly redis: Redis;
  readonly queues: Queues;
  readonly executor: FakeExecutor;
  private readonly agents: Agent[] = [];

  private constructor(
    readonly store: Store,
    private readonly dir: string,
  ) {
    const url = services.redisUrl();
    this.redis = createRedisFromUrl(url);
    this.queues = createQueues({ connection: redisOptionsFromUrl(url), keys: this.keys });
    // Two hosts of two shards: enough to show routing by host and shard.
    const config = FakeExecutorConfigSchema.parse({ hosts: { count: 2, shardsPerHost: 2 } });
    this.executor = fakeExecutor.create(config, { logger: silentLogger, now: () => Date.now() });
  }

  /** A harness on a fresh SQLite database and key prefix. */
  static async create(): Promise<Harness> {
    const dir = await mkdtemp(join(tmpdir(), 'god-agent-'));
    const store = await createStore({
      driver: 'sqlite',
      sqlite: { path: join(dir, 'god.db') },
      mongodb: { url: 'mongodb://127.0.0.1:27017', db: 'god' },
    });
    return new Harness(store, dir);
  }

  /** Starts an agent on this harness (all hosts unless `hostName`). */
  async startAgent(over: Partial<AgentOptions> = {}): Promise<Agent> {
    const agent = createAgent({
      store: this.store,
      redis: this.redis,
      keys: this.keys,
      queues: this.queues,
      executor: this.executor,
      logger: silentLogger,
      heartbeatMs: 50,
      concurrency: 4,
      ...over,
    });
    this.agents.push(agent);
    await agent.start();
    return agent;
  }

  /** Inserts a pending job. */
  async submit(env: Record<string, string> = {}): Promise<Job> {
    const [job] = await this.store.insertJobs([
      makeNewJob({ env, requirements: { ram: 2 * 2 ** 30 } }),
    ]);
    if (job === undefined) throw new Error('insertJobs returned nothing');
    return job;
  }

  /** Plays the scheduler leader: `pending -> scheduled` with a placement and epoch. */
  async place(id: number, epoch = 1, placement = makePlacement()): Promise<DispatchMessage> {
    const res = await this.store.transition(id, 'pending', 'scheduled', { placement, epoch });
    if (!res.ok) throw new Error(`could not place job ${id}: it is ${res.actual}`);
    const { host, shard } = placement;
    return { jobId: id, attempt: res.job.attempts, epoch, host, shard };
  }

  /** Adds `msg` to its shard's queue (or `queueShard`'s); resolves to the BullMQ job id. */
  async dispatch(msg: DispatchMessage, bullId = dispatchId(msg), queueShard = msg.shard) {
    const queue = this.queues.createQueue(queueNames.shard(msg.host, queueShard));
    const added = await queue.add('dispatch', msg, { jobId: bullId });
    return { queue, id: added.id ?? bullId };
  }

  /** Plays the web: a control request on the host's control queue. */
  async control(host: string, msg: ControlMessage) {
    const queue = this.queues.createQueue(queueNames.hostControl(host));
    const added = await queue.add(msg.action, msg);
    return { queue, id: added.id ?? '' };
  }

  /** Waits until the queue job `id` finished and returns its return value (throws if it failed). */
  async result(handle: { queue: ReturnType<Queues['createQueue']>; id: string }): Promise<unknown> {
    const done = await waitFor(`message ${handle.id} to be processed`, async () => {
      const job = await handle.queue.getJob(handle.id);
      return job?.finishedOn === undefined ? null : job;
    });
    if (done.failedReason) throw new Error(`message failed: ${done.failedReason}`);
    return done.returnvalue;
  }

  /** Waits until job `id` is in `state`, and returns it. */
  async waitState(id: number, state: Job['state']): Promise<Job> {
    return waitFor(`job ${id} to be ${state}`, async () => {
      const job = await this.store.getJob(id);
      return job?.state === state ? job : null;
    });
  }

  /** Every event published so far under this harness's prefix. */
  async events(): Promise<GodEvent[]> {
    const entries = await this.redis.xrange(this.keys.events(), '-', '+');
    return entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as GodEvent);
  }

  /** Stops agents, closes queues, executor, store and Redis, and removes the database. */
  async close(): Promise<void> {
    for (const agent of this.agents.splice(0)) await agent.stop();
    await this.queues.closeAll();
    await this.executor.close();
    await this.store.close();
    this.redis.disconnect();
    await rm(this.dir, { recursive: true, force: true });
  }
}
