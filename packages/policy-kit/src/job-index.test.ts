import type { QueuedJob } from '@god/core';
import { describe, expect, it } from 'vitest';
import { JobIndex } from './job-index.js';
import { Cursor, JobQueue } from './job-queue.js';

const job = (id: number, submitted = id): QueuedJob => ({
  id,
  user: 'ann',
  project: 'lab',
  submitted,
  cpu: 1,
  ram: 1,
  gpus: 0,
});

describe('JobIndex with a JobQueue', () => {
  it('keeps its own copy, flags a taken entry and hides it from a cursor', () => {
    const index = new JobIndex();
    const q = new JobQueue();
    const mine = job(1);
    const e = index.insert(mine);
    mine.submitted = 99; // the caller's object is not the queue's
    q.add(e);
    q.add(index.insert(job(2)));
    expect(index.size()).toBe(2);
    expect(index.take(1)?.submitted).toBe(1);
    q.drop();
    expect(e.removed).toBe(true);
    expect(index.has(1)).toBe(false);
    expect(index.take(1)).toBeUndefined();
    const c = new Cursor(q, index.limit());
    q.add(index.insert(job(3))); // added after the cursor: for the next pass
    expect(c.peek()?.id).toBe(2);
    c.advance(c.current!);
    expect(c.peek()).toBeUndefined();
  });
});
