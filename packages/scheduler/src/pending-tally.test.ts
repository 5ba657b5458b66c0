import { parseArraySpec, type ArraySpec, type Job } from '@god/core';
import { describe, expect, it } from 'vitest';
import { newProgress } from './arrays.js';
import { PendingTally, pendingByUser } from './pending-tally.js';
import type { SchedJob } from './sched-job.js';

/** The fields of a pending job the tally reads. */
const sched = (id: number, user: string, parent: number | null = null): SchedJob =>
  ({ id, user, parent }) as SchedJob;

/** An array parent record with the fields progress reads. */
function arrayParent(id: number, user: string, spec: string): Job {
  const array = parseArraySpec(spec) as ArraySpec;
  return { id, parent: null, user: { id: user }, requirements: { array } } as unknown as Job;
}

describe('pendingByUser', () => {
  it('counts a plain job or task as one and an array by its unmade tasks', () => {
    const p = newProgress(arrayParent(2, 'ann', '1:10'));
    p.nextIndex = 3; // tasks 4, 5, 6 made and waiting
    p.live = 3;
    const pending = [sched(1, 'ann'), sched(2, 'ann'), sched(4, 'ann', 2), sched(5, 'ann', 2)];
    pending.push(sched(6, 'ann', 2), sched(7, 'bob'));
    const arrays = new Map([[2, p]]);
    // 1 plain + 3 made and waiting + 7 not made; the parent record itself weighs nothing more.
    expect(pendingByUser(pending, arrays)).toEqual(
      new Map([
        ['ann', 11],
        ['bob', 1],
      ]),
    );
    p.stopped = true; // killed or rejected: its unmade tasks are given back
    expect(pendingByUser(pending, arrays).get('ann')).toBe(4);
  });

  it('notes signed changes and drops those that cancel out', () => {
    const t = new PendingTally();
    t.add('ann', -3);
    t.add('bob', 2);
    t.add('bob', -2);
    t.add('ann', 1);
    expect(t.take()).toEqual(new Map([['ann', -2]]));
    expect(t.take()).toEqual(new Map());
  });
});
