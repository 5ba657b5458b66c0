/** The dispatch queue on the real Redis: placements batched per shard, one addBulk per shard. */
import type { DispatchBatch, DispatchMessage } from '@god/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createDispatchQueue } from './dispatch-queue.js';
import { queueNames } from './keys.js';
import { createQueues, type Queues, type QueueSettings } from './queues.js';
import { redisOptionsFromUrl } from './redis.js';
import { makeTestKeys } from './test-helpers.js';

let queues: Queues | null = null;
afterEach(async () => {
  await queues?.closeAll();
  queues = null;
});

const msg = (jobId: number, host: string, shard: string): DispatchMessage => ({
  jobId,
  attempt: 1,
  epoch: 7,
  host,
  shard,
});

/** Real queues whose `addBulk` calls (one round trip each) are counted per queue. */
function counting(real: Queues): {
  queues: Pick<Queues, 'createQueue'>;
  bulks: Map<string, number>;
} {
  const bulks = new Map<string, number>();
  const queues: Pick<Queues, 'createQueue'> = {
    createQueue: <Data, Result>(name: string, settings?: QueueSettings) => {
      const q = real.createQueue<Data, Result>(name, settings);
      const addBulk = q.addBulk.bind(q);
      q.addBulk = (jobs) => {
        bulks.set(name, (bulks.get(name) ?? 0) + 1);
        return addBulk(jobs);
      };
      return q;
    },
  };
  return { queues, bulks };
}

describe('dispatch queue', () => {
  it('sends each shard its placements in messages of up to N, in one addBulk per shard', async () => {
    const keys = makeTestKeys();
    queues = createQueues({ connection: redisOptionsFromUrl(inject('redisUrl')), keys });
    const seen = counting(queues);
    const out = createDispatchQueue(seen.queues, { maxBatch: 3 });
    const a = Array.from({ length: 7 }, (_, i) => msg(i + 1, 'h1', 's0'));
    const b = [msg(100, 'h2', 's1'), msg(101, 'h2', 's1')];
    await out.dispatch([...a.slice(0, 4), ...b, ...a.slice(4)]);

    expect(seen.bulks.get(queueNames.shard('h1', 's0'))).toBe(1);
    expect(seen.bulks.get(queueNames.shard('h2', 's1'))).toBe(1);
    const read = queues.createQueue<DispatchBatch>(queueNames.shard('h1', 's0'));
    const jobs = (await read.getJobs(['waiting'])).sort((x, y) => x.id!.localeCompare(y.id!));
    expect(jobs.map((j) => j.data.batch.map((m) => m.jobId))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(jobs.map((j) => j.id)).toEqual(['job-1-1-n3', 'job-4-1-n3', 'job-7-1-n1']);
    expect(jobs.every((j) => j.name === 'start')).toBe(true);
    const other = queues.createQueue<DispatchBatch>(queueNames.shard('h2', 's1'));
    const [only, ...rest] = await other.getJobs(['waiting']);
    expect(rest).toEqual([]);
    expect(only?.data.batch).toEqual(b);

    // The same attempt sent again (a rebuild redispatching) adds no second message.
    await out.dispatch(a.slice(0, 3));
    expect(await read.getJobCounts('waiting')).toEqual({ waiting: 3 });
    await out.close();
  });

  it('sends a control request to the host control queue', async () => {
    const keys = makeTestKeys();
    queues = createQueues({ connection: redisOptionsFromUrl(inject('redisUrl')), keys });
    const out = createDispatchQueue(queues);
    await out.control('h1', { jobId: 5, action: 'kill', reason: 'quota', outcome: 'quota' });
    const q = queues.createQueue(queueNames.hostControl('h1'));
    const [job] = await q.getJobs(['waiting']);
    expect(job?.name).toBe('kill');
    expect(job?.data).toEqual({ jobId: 5, action: 'kill', reason: 'quota', outcome: 'quota' });
    await out.close();
  });
});
