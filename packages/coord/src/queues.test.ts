import { inject, afterEach, describe, expect, it } from 'vitest';
import { queueNames } from './keys.js';
import { createQueues, type Queues } from './queues.js';
import { redisOptionsFromUrl } from './redis.js';
import { waitFor } from '@god/testkit';
import { Clients, makeTestKeys } from './test-helpers.js';

const clients = new Clients();
let queues: Queues | null = null;
afterEach(async () => {
  await queues?.closeAll();
  queues = null;
  clients.closeAll();
});

describe('queues', () => {
  it('hands a job from a shard queue to its worker, all under the prefix', async () => {
    const keys = makeTestKeys();
    queues = createQueues({ connection: redisOptionsFromUrl(inject('redisUrl')), keys });
    const name = queueNames.shard('node-1', 0);
    const queue = queues.createQueue<{ jobId: number }, string>(name);
    const processed: number[] = [];
    const worker = queues.createWorker<{ jobId: number }, string>(name, (job) => {
      processed.push(job.data.jobId);
      return Promise.resolve(`ran ${job.data.jobId}`);
    });
    await worker.waitUntilReady();

    const added = await queue.add('run', { jobId: 42 });
    await waitFor('the job to be processed', () => processed.length === 1);
    expect(processed).toEqual([42]);
    const done = await waitFor('the job to complete', async () =>
      (await queue.getJobState(added.id!)) === 'completed' ? queue.getJob(added.id!) : null,
    );
    expect(done.returnvalue).toBe('ran 42');

    const redis = clients.connect();
    const ours = await redis.keys(`${keys.prefix}:bull:${name}:*`);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours).toContain(`${keys.prefix}:bull:${name}:${added.id}`);
    expect(await redis.keys('bull:*')).toEqual([]); // nothing under BullMQ's default prefix
  });

  it('closes every queue and worker', async () => {
    const keys = makeTestKeys();
    queues = createQueues({ connection: redisOptionsFromUrl(inject('redisUrl')), keys });
    const q = queues.createQueue(queueNames.control);
    const w = queues.createWorker(queueNames.control, () => Promise.resolve());
    await Promise.all([q.waitUntilReady(), w.waitUntilReady()]);
    await queues.closeAll();
    expect(w.isRunning()).toBe(false);
    await expect(q.add('x', {})).rejects.toThrow();
  });
});
