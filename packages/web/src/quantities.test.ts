/**
 * Quantities through the real API (#19): what rounds to no memory limit, what overflows to
 * infinity, text that is not a number, negatives, a run time beyond limits.job, constraints
 * that are not configured and tmpstorage (which god does not enforce) are each refused with a
 * 400 naming the field, by /api/v1 and GO-Docker's /api/1.0 alike, and nothing is written.
 */
import { counterNames } from '@god/coord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let aliceToken10: string;

beforeAll(async () => {
  h = await WebHarness.start([
    'constraints=[{name: zone, values: [a, b]}]',
    'limits.job={max_cpu: 2, max_ram: 2G, max_gpus: 0, max_maxlifespan: 1h}',
    // Users may change maxlifespan here: then a user gets no more than at submission.
    'web.dynamic_fields=[{name: maxlifespan, admin_only: false}]',
  ]);
  alice = await h.user('alice');
  const auth = await call('POST', '/api/1.0/authenticate', undefined, {
    user: 'alice',
    apikey: alice.key,
  });
  aliceToken10 = auth.body['token'] as string;
});
afterAll(async () => {
  await h?.stop();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(token !== undefined && { Authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Answer['body']) };
}

/** The field paths a 400 names. */
function paths(a: Answer): string[] {
  const err = a.body['error'] as { issues?: Array<{ path: string }> } | undefined;
  return (err?.issues ?? []).map((i) => i.path);
}

/** What a refusal must leave untouched: alice's jobs and the pending counters. */
async function written(): Promise<[number, number | null, number | null]> {
  const { jobs } = await h.store.listJobs({ user: 'alice' }, { limit: 1000 });
  return [
    jobs.length,
    await h.web.ctx.counters.get(counterNames.pendingOfUser('alice')),
    await h.web.ctx.counters.get(counterNames.pending()),
  ];
}

const v1 = (requirements: object) => ({
  container: { image: 'god-test/busybox:latest' },
  command: { cmd: 'true' },
  requirements,
});
const v10 = (requirements: object) => ({
  meta: { name: 'q', description: '', tags: [] },
  requirements: { cpu: 1, ram: 1, array: { values: null }, label: [], tasks: [], ...requirements },
  container: { image: 'god-test/busybox:latest', volumes: [], root: false },
  command: { interactive: false, cmd: 'true' },
});

/** Bad requirements and the field each must be refused on. */
const BAD: Array<[string, object, object, string]> = [
  // [what, /api/v1 requirements, /api/1.0 requirements, field]
  ['RAM that rounds to 0 bytes', { ram: 1e-300 }, { ram: 1e-300 }, 'requirements.ram'],
  ['RAM below 6 MiB', { ram: '5M' }, { ram: 0.001 }, 'requirements.ram'],
  ['RAM that overflows', { ram: 1e308 }, { ram: 1e308 }, 'requirements.ram'],
  ['RAM over limits.job', { ram: '3G' }, { ram: 3 }, 'requirements.ram'],
  ['RAM as NaN', { ram: 'NaN' }, { ram: 'NaN' }, 'requirements.ram'],
  ['RAM as Infinity', { ram: 'Infinity' }, { ram: '1e308' }, 'requirements.ram'],
  ['negative RAM', { ram: -1 }, { ram: -1 }, 'requirements.ram'],
  ['negative cores', { cpu: -1 }, { cpu: -1 }, 'requirements.cpu'],
  ['fractional cores', { cpu: 1.5 }, { cpu: 1.5 }, 'requirements.cpu'],
  ['cores over limits.job', { cpu: 3 }, { cpu: 3 }, 'requirements.cpu'],
  ['GPUs over limits.job', { gpus: 1 }, { gpus: 1 }, 'requirements.gpus'],
  [
    'a huge maxlifespan',
    { maxlifespan: 1e308 },
    { maxlifespan: 1e308 },
    'requirements.maxlifespan',
  ],
  [
    'maxlifespan over limits.job',
    { maxlifespan: '2h' },
    { maxlifespan: 3601 },
    'requirements.maxlifespan',
  ],
  ['negative maxlifespan', { maxlifespan: -5 }, { maxlifespan: -5 }, 'requirements.maxlifespan'],
  [
    'an unknown constraint',
    { label: ['rack==1'] },
    { label: ['rack==1'] },
    'requirements.label[0]',
  ],
  ['an unknown value', { label: ['zone==c'] }, { label: ['zone==c'] }, 'requirements.label[0]'],
  [
    'tmpstorage',
    { tmpstorage: '10G' },
    { tmpstorage: { size: 10, path: null } },
    'requirements.tmpstorage',
  ],
  // The cluster runs `docker` (the default): a job naming another would wait for ever.
  [
    'an executor the cluster does not run',
    { executor: 'kubernetes' },
    { executor: 'kubernetes' },
    'requirements.executor',
  ],
];

describe('quantities (#19)', () => {
  it.each(BAD)(
    '/api/v1 refuses %s, naming the field, and writes nothing',
    async (_, req, __, field) => {
      const before = await written();
      const a = await call('POST', '/api/v1/jobs', alice.key, v1(req));
      expect(a.status).toBe(400);
      expect(paths(a)).toEqual([field]);
      expect(await written()).toEqual(before);
    },
  );

  it.each(BAD)(
    '/api/1.0 refuses %s, naming the field, and writes nothing',
    async (_, __, req, field) => {
      const before = await written();
      const a = await call('POST', '/api/1.0/task', aliceToken10, v10(req));
      expect(a.status).toBe(400);
      expect(paths(a)).toEqual([field]);
      expect(await written()).toEqual(before);
    },
  );

  it('accepts a job naming the executor the cluster runs', async () => {
    const a = await call('POST', '/api/v1/jobs', alice.key, v1({ executor: 'docker' }));
    expect(a.status).toBe(201);
  });

  it('accepts the largest job limits.job allows, with RAM stored in bytes', async () => {
    const largest = { cpu: 2, ram: '2G', maxlifespan: '1h', label: ['zone==b'] };
    const a = await call('POST', '/api/v1/jobs', alice.key, v1(largest));
    expect(a.status).toBe(201);
    const job = a.body['job'] as { id: number; requirements: object };
    expect(job.requirements).toMatchObject({ cpu: 2, ram: 2 * 2 ** 30, maxlifespan: 3600 });
    // GO-Docker's documents keep RAM in GB.
    const task = await call('GET', `/api/1.0/task/${job.id}`, aliceToken10);
    expect(task.body['requirements']).toMatchObject({ cpu: 2, ram: 2 });
  });

  it('holds a user changing maxlifespan to limits.job, by both APIs', async () => {
    const a = await call('POST', '/api/v1/jobs', alice.key, v1({ maxlifespan: 60 }));
    const id = (a.body['job'] as { id: number }).id;
    const over = await call('POST', `/api/v1/jobs/${id}/update`, alice.key, { maxlifespan: 1e308 });
    expect([over.status, paths(over)]).toEqual([400, ['maxlifespan']]);
    const over2 = await call('POST', `/api/v1/jobs/${id}/update`, alice.key, { maxlifespan: '2h' });
    expect([over2.status, paths(over2)]).toEqual([400, ['maxlifespan']]);
    const put = await call('PUT', `/api/1.0/task/${id}`, aliceToken10, {
      name: 'maxlifespan',
      value: 7200,
    });
    expect([put.status, paths(put)]).toEqual([400, ['maxlifespan']]);
    expect((await h.store.getJob(id))?.requirements.maxlifespan).toBe(60);
    const ok = await call('POST', `/api/v1/jobs/${id}/update`, alice.key, { maxlifespan: '1h' });
    expect(ok.status).toBe(200);
    expect((await h.store.getJob(id))?.requirements.maxlifespan).toBe(3600);
  });
});
