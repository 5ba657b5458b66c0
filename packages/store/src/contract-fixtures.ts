/** Test builders and the fixture contract the Store contract suite runs against. */
import { afterEach, beforeEach } from 'vitest';
import type { Job, NewJob, Placement } from '@god/core';
import { makeNewJob } from '@god/testkit';
import type { JobFilter, Store } from './store.js';

/** One database for one test, and how to reach it again. */
export interface StoreFixture {
  store: Store;
  /** Opens another Store on the same database, as a second god process would. */
  open(): Promise<Store>;
  /** Closes every Store it opened and removes the database. */
  destroy(): Promise<void>;
}

/** Makes a fresh, empty database for each test. */
export type MakeStore = () => Promise<StoreFixture>;

/** Access to the current test's fixture from inside `it` blocks. */
export interface FixtureRef {
  readonly store: Store;
  open(): Promise<Store>;
}

/** Registers beforeEach/afterEach hooks giving every test its own database. */
export function useFixture(make: MakeStore): FixtureRef {
  let current: StoreFixture | null = null;
  beforeEach(async () => {
    current = await make();
  });
  afterEach(async () => {
    await current?.destroy();
    current = null;
  });
  const get = (): StoreFixture => {
    if (current === null) throw new Error('no store fixture outside a test');
    return current;
  };
  return {
    get store() {
      return get().store;
    },
    open: () => get().open(),
  };
}

/** A minimal valid new job; `over` replaces top-level fields. */
export function makeJob(over: Partial<NewJob> = {}): NewJob {
  const defaults = {
    container: { image: 'god-test/busybox:latest' },
    command: { cmd: 'echo hello' },
  };
  return makeNewJob({ ...defaults, ...over });
}

/** A new job where every field differs from its default, to prove nothing is lost. */
export function makeFullJob(): NewJob {
  return makeJob({
    state: 'held',
    submitted: 1_700_000_000_123,
    user: { id: 'bob', uid: 2002, gid: 3003, sgids: [10, 20, 30], project: 'genomics' },
    meta: {
      name: 'align-sample-7',
      description: 'BWA on sample 7\nsecond line',
      tags: ['bwa', 'hg38'],
    },
    requirements: {
      cpu: 8,
      ram: 15.5 * 2 ** 30,
      gpus: 2,
      array: { spec: '1:9:3%2', first: 1, last: 7, step: 3, count: 3, limit: 2 },
      label: ['disk==ssd', 'zone==b'],
      tasks: [
        { id: 3, kind: 'afterok' },
        { id: 4, kind: 'afterany' },
      ],
      ports: [8080, 22],
      tmpstorage: null,
      maxlifespan: 5400,
      executor: 'fake',
      group: { name: 'batch-7', policy: 'anti-affinity' },
    },
    container: {
      image: 'registry.example.org:5000/tools/bwa:0.7.17',
      volumes: [
        { name: 'home', acl: 'rw' },
        { name: 'refs', acl: 'ro' },
      ],
      root: true,
    },
    command: { cmd: '#!/bin/bash\nbwa mem ref.fa r1.fq > out.sam\n', interactive: true },
    env: { SAMPLE: '7', EMPTY: '', UNICODE: 'é✓' },
    parent: 41,
    taskId: 4,
    why: { code: 'HELD', message: 'held by request' },
  });
}

/** A placement on host `h1`, shard 0. */
export function makePlacement(over: Partial<Placement> = {}): Placement {
  return { host: 'h1', shard: 'h1/0', cpus: '0-3', mems: '0', gpus: [], ports: [], ...over };
}

/** Every job matching `filter`, walking all pages of `limit` jobs. */
export async function listAll(store: Store, filter: JobFilter = {}, limit = 1000): Promise<Job[]> {
  const out: Job[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listJobs(filter, { limit, cursor });
    out.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** Inserts one job and walks it to `state` through legal transitions. */
export async function makeJobIn(
  store: Store,
  state: Job['state'],
  over: Partial<NewJob> = {},
): Promise<Job> {
  const [job] = await store.insertJobs([
    makeJob({ ...over, state: state === 'held' ? 'held' : 'pending' }),
  ]);
  if (job === undefined) throw new Error('insert returned nothing');
  const path: Record<Job['state'], Array<[Job['state'], Job['state']]>> = {
    pending: [],
    held: [],
    scheduled: [['pending', 'scheduled']],
    running: [
      ['pending', 'scheduled'],
      ['scheduled', 'running'],
    ],
    suspended: [
      ['pending', 'scheduled'],
      ['scheduled', 'running'],
      ['running', 'suspended'],
    ],
    over: [['pending', 'over']],
    archived: [
      ['pending', 'over'],
      ['over', 'archived'],
    ],
  };
  let last = job;
  for (const [from, to] of path[state]) {
    const r = await store.transition(job.id, from, to, {
      ...(to === 'scheduled' ? { placement: makePlacement(), epoch: 1 } : {}),
      ...(to === 'over' ? { outcome: 'killed' as const } : {}),
    });
    if (!r.ok) throw new Error(`could not move job ${job.id} ${from} -> ${to}`);
    last = r.job;
  }
  return last;
}
