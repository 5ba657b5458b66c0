import { tracksUsage, usesPriorities, type QueuedJob, type SchedulingPolicy } from '@god/core';
import { makeQueuedJob } from '@god/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFifoPolicy } from './fifo.js';
import fifoPolicy from './index.js';

function makeJob(id: number, submitted: number, user = 'alice', project = 'default'): QueuedJob {
  return makeQueuedJob(id, user, submitted, { project });
}

function ids(policy: SchedulingPolicy, now = 0): number[] {
  const out: number[] = [];
  const it = policy.ordered(now);
  for (let r = it.next(); r.done !== true; r = it.next()) out.push(r.value.id);
  return out;
}

describe('FIFO policy', () => {
  it('orders by submission time, then by id on ties, across users', () => {
    const p = createFifoPolicy();
    p.add(makeJob(5, 200, 'bob'));
    p.add(makeJob(3, 100, 'alice'));
    p.add(makeJob(4, 100, 'carol'));
    p.add(makeJob(1, 300, 'alice'));
    p.add(makeJob(2, 100, 'bob'));
    expect(ids(p)).toEqual([2, 3, 4, 5, 1]);
    expect(p.size()).toBe(5);
  });

  it('removes a job, and says when the job was not queued', () => {
    const p = createFifoPolicy();
    for (let i = 1; i <= 4; i++) p.add(makeJob(i, i * 10));
    expect(p.remove(2)).toBe(true);
    expect(p.remove(2)).toBe(false);
    expect(p.remove(99)).toBe(false);
    expect(p.has(2)).toBe(false);
    expect(ids(p)).toEqual([1, 3, 4]);
    expect(p.size()).toBe(3);
  });

  it('puts a job added out of order at its place', () => {
    const p = createFifoPolicy();
    p.add(makeJob(1, 10));
    p.add(makeJob(2, 30));
    p.add(makeJob(3, 20));
    p.add(makeJob(4, 5));
    expect(ids(p)).toEqual([4, 1, 3, 2]);
  });

  it('replaces a job added twice with the same id', () => {
    const p = createFifoPolicy();
    p.add(makeJob(1, 10, 'alice'));
    p.add(makeJob(2, 20, 'bob'));
    p.add(makeJob(1, 30, 'bob'));
    expect(ids(p)).toEqual([2, 1]);
    expect(p.size()).toBe(2);
  });

  it('tolerates removals during a pass and never yields a removed job', () => {
    const p = createFifoPolicy();
    for (let i = 1; i <= 6; i++) p.add(makeJob(i, i, i % 2 === 0 ? 'bob' : 'alice'));
    const it = p.ordered(0);
    const seen: number[] = [];
    const first = it.next();
    if (first.done === true) throw new Error('empty');
    seen.push(first.value.id);
    p.remove(first.value.id); // placed
    p.remove(2); // the next candidate, killed meanwhile
    p.remove(5); // a later one
    for (let r = it.next(); r.done !== true; r = it.next()) seen.push(r.value.id);
    expect(seen).toEqual([1, 3, 4, 6]);
  });

  it('keeps a yielded job that did not fit without yielding it again in the same pass', () => {
    const p = createFifoPolicy();
    for (let i = 1; i <= 3; i++) p.add(makeJob(i, i));
    expect(ids(p)).toEqual([1, 2, 3]);
    expect(ids(p)).toEqual([1, 2, 3]);
  });

  it('leaves jobs added during a pass, and a job re-added after it was yielded, to the next pass', () => {
    const p = createFifoPolicy();
    p.add(makeJob(1, 10));
    p.add(makeJob(2, 20));
    const it = p.ordered(0);
    const a = it.next();
    if (a.done === true) throw new Error('empty');
    p.remove(1);
    p.add(makeJob(1, 10)); // held and released again
    p.add(makeJob(3, 5, 'dave')); // new user, older submission
    const rest: number[] = [];
    for (let r = it.next(); r.done !== true; r = it.next()) rest.push(r.value.id);
    expect(rest).toEqual([2]);
    expect(ids(p)).toEqual([3, 1, 2]);
  });

  it('has none of the optional abilities: the scheduler skips usage and priorities for it', () => {
    const p = createFifoPolicy();
    expect(tracksUsage(p)).toBe(false);
    expect(usesPriorities(p)).toBe(false);
  });

  it('survives compaction of a long queue drained from the head and the middle', () => {
    const p = createFifoPolicy();
    for (let i = 0; i < 1000; i++) p.add(makeJob(i, i));
    for (let i = 0; i < 1000; i += 3) p.remove(i);
    const it = p.ordered(0);
    const seen: number[] = [];
    for (let r = it.next(); r.done !== true; r = it.next()) {
      seen.push(r.value.id);
      p.remove(r.value.id + 1); // removals ahead of the cursor force compactions mid-pass
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('is a strict plugin definition', () => {
    expect(fifoPolicy.kind).toBe('policy');
    expect(fifoPolicy.name).toBe('FIFO');
    expect(fifoPolicy.configSchema.parse(undefined)).toEqual({});
    expect(fifoPolicy.configSchema.safeParse({ typo: 1 }).success).toBe(false);
  });
});

type Op =
  { kind: 'add'; id: number; submitted: number; user: number } | { kind: 'remove'; id: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      id: fc.integer({ min: 1, max: 60 }),
      submitted: fc.integer({ min: 0, max: 40 }),
      user: fc.integer({ min: 0, max: 4 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('remove' as const),
      id: fc.integer({ min: 1, max: 60 }),
    }),
    weight: 1,
  },
);

describe('FIFO properties', () => {
  it('yields exactly the queued jobs, sorted by (submitted, id), for any adds and removals', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const p = createFifoPolicy();
        const model = new Map<number, QueuedJob>();
        for (const op of ops) {
          if (op.kind === 'add') {
            const job = makeJob(op.id, op.submitted, `u${op.user}`);
            p.add(job);
            model.set(op.id, job);
          } else {
            expect(p.remove(op.id)).toBe(model.delete(op.id));
          }
        }
        const expected = [...model.values()]
          .sort((a, b) => a.submitted - b.submitted || a.id - b.id)
          .map((j) => j.id);
        expect(ids(p)).toEqual(expected);
        expect(p.size()).toBe(model.size);
      }),
    );
  });

  it('during a pass with arbitrary removals, yields each remaining job once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 120 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 40 }),
        (ops, removals) => {
          const p = createFifoPolicy();
          for (const op of ops) {
            if (op.kind === 'add') p.add(makeJob(op.id, op.submitted, `u${op.user}`));
            else p.remove(op.id);
          }
          const before = ids(p);
          const it = p.ordered(0);
          const seen: number[] = [];
          const removed = new Set<number>();
          let k = 0;
          for (let r = it.next(); r.done !== true; r = it.next()) {
            expect(removed.has(r.value.id)).toBe(false);
            seen.push(r.value.id);
            const victim = removals[k++];
            if (victim !== undefined && p.remove(victim)) removed.add(victim);
          }
          // What was yielded is the original order minus the jobs removed before their turn.
          expect(seen).toEqual(before.filter((id) => seen.includes(id) || !removed.has(id)));
        },
      ),
    );
  });
});
