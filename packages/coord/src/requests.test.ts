import { ValidationError } from '@god/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { queueNames } from './keys.js';
import { createQueues, type Queues } from './queues.js';
import { redisOptionsFromUrl } from './redis.js';
import { requestArchive, requestControl } from './requests.js';
import { makeTestKeys } from './test-helpers.js';

let queues: Queues | null = null;
afterEach(async () => {
  await queues?.closeAll();
  queues = null;
});

const open = (): Queues =>
  createQueues({ connection: redisOptionsFromUrl(inject('redisUrl')), keys: makeTestKeys() });

describe('request producers', () => {
  it('queue control and archive requests under one retention policy', async () => {
    queues = open();
    const control = await requestControl(queues, { action: 'kill', jobId: 7, by: 'alice' });
    const archive = await requestArchive(queues, { jobId: 8, by: 'alice' });
    const policy = {
      removeOnComplete: { age: 3_600, count: 10_000 },
      removeOnFail: { age: 86_400 },
    };
    const c = await queues.createQueue(queueNames.control).getJob(control);
    const a = await queues.createQueue(queueNames.archive).getJob(archive);
    expect([c?.name, c?.data, c?.opts]).toMatchObject([
      'kill',
      { action: 'kill', jobId: 7, by: 'alice', reason: '' },
      policy,
    ]);
    expect([a?.name, a?.data, a?.opts]).toMatchObject([
      'archive',
      { jobId: 8, by: 'alice' },
      policy,
    ]);
  });

  it('refuse a malformed request with a ValidationError naming the field', async () => {
    queues = open();
    const bad = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => (e instanceof ValidationError ? e.issues.map((i) => i.path) : e),
      );
    expect(await bad(requestControl(queues, { action: 'kill', jobId: -1, by: 'a' }))).toEqual([
      'jobId',
    ]);
    expect(await bad(requestArchive(queues, { jobId: 1, by: '' }))).toEqual(['by']);
  });

  it('keep working on a factory closed and used again', async () => {
    queues = open();
    await requestControl(queues, { action: 'kill', jobId: 1, by: 'alice' });
    await queues.closeAll();
    const id = await requestControl(queues, { action: 'kill', jobId: 2, by: 'alice' });
    const queue = queues.createQueue<{ jobId: number }>(queueNames.control);
    expect((await queue.getJob(id))?.data.jobId).toBe(2);
  });
});
