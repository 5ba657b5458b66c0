import { afterEach, describe, expect, it } from 'vitest';
import { parseCpuset } from './placement/index.js';
import type { Scheduler } from './scheduler.js';
import { SchedulerEnv, waitFor } from './test-harness.js';

let env: SchedulerEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const done = (j: { state: string }) => j.state === 'over';

describe('scheduler on real Redis, SQLite and the agent', () => {
  it('runs jobs in FIFO order on exclusive cores of one shard, fenced by its epoch', async () => {
    env = await SchedulerEnv.create();
    const s = await env.startScheduler();
    await waitFor('leadership', () => s.isLeader());
    const jobs = [];
    for (let i = 0; i < 12; i++)
      jobs.push(await env.submit({ requirements: { cpu: 2 }, env: { FAKE_RUNTIME_MS: '100' } }));
    const ended = await Promise.all(jobs.map((j) => env!.waitJob(j.id, 'ends', done)));
    for (const j of ended) {
      expect(j).toMatchObject({ outcome: 'success', attempts: 1, epoch: s.leader()?.epoch });
      expect(j.status).toMatchObject({ primary: 'over', exitcode: 0 });
    }
    // 8 shards worth of 4 cores hold 2 two-core jobs each... on 2 hosts x 2 shards: 8 at once.
    const starts = ended.map((j) => j.status.dates.scheduled!);
    expect(starts.slice(0, 8).every((t) => t <= Math.min(...starts.slice(8)))).toBe(true);
    expect(env.executor.doubleStarts()).toEqual([]);
    const usage = await env.store.usageTotals({ user: 'alice', since: 0 });
    expect(usage.jobs).toBe(12);
  });

  it('never gives a core to two jobs at once', async () => {
    env = await SchedulerEnv.create();
    await env.startScheduler();
    const jobs = [];
    for (let i = 0; i < 30; i++)
      jobs.push(
        await env.submit({ requirements: { cpu: 1 + (i % 3) }, env: { FAKE_RUNTIME_MS: '150' } }),
      );
    const live = new Map<string, number>();
    let overlap = '';
    const poll = setInterval(() => {
      void env!.store
        .listJobs({ state: ['scheduled', 'running'] }, { limit: 1000 })
        .then((page) => {
          live.clear();
          for (const j of page.jobs) {
            for (const c of parseCpuset(j.placement!.cpus)) {
              const key = `${j.placement!.host}/${c}`;
              if (live.has(key)) overlap = `${key} held by ${live.get(key)} and ${j.id}`;
              live.set(key, j.id);
            }
          }
        });
    }, 10);
    await Promise.all(jobs.map((j) => env!.waitJob(j.id, 'ends', done)));
    clearInterval(poll);
    expect(overlap).toBe('');
  });

  it('keeps held jobs waiting until released', async () => {
    env = await SchedulerEnv.create();
    await env.startScheduler();
    const held = await env.submit({ hold: true });
    const other = await env.submit({});
    await env.waitJob(other.id, 'ends', done);
    expect(await env.store.getJob(held.id)).toMatchObject({ state: 'held', why: { code: 'HELD' } });
    expect((await env.store.transition(held.id, 'held', 'pending')).ok).toBe(true);
    await env.changed(held.id);
    await env.waitJob(held.id, 'ends', done);
  });

  it('honours afterok, afterany and afternotok, and rejects what can never be met', async () => {
    env = await SchedulerEnv.create();
    await env.startScheduler();
    const fails = await env.submit({ env: { FAKE_RUNTIME_MS: '200', FAKE_EXIT_CODE: '3' } });
    const ok = await env.submit({ requirements: { tasks: [fails.id] } });
    const any = await env.submit({ requirements: { tasks: [{ id: fails.id, kind: 'afterany' }] } });
    const notok = await env.submit({
      requirements: { tasks: [{ id: fails.id, kind: 'afternotok' }] },
    });
    const missing = await env.submit({ requirements: { tasks: [999_999] } });
    const waiting = await env.waitJob(
      ok.id,
      'waits for its dependency',
      (j) => j.why?.code === 'DEPENDENCY',
    );
    expect(waiting.why?.message).toContain(String(fails.id));
    expect(await env.waitJob(fails.id, 'fails', done)).toMatchObject({
      outcome: 'failed',
      status: { exitcode: 3 },
    });
    expect(await env.waitJob(ok.id, 'is rejected', done)).toMatchObject({ outcome: 'rejected' });
    expect((await env.store.getJob(ok.id))?.status.reason).toMatch(/afterok can never be met/);
    expect(await env.waitJob(any.id, 'runs', done)).toMatchObject({ outcome: 'success' });
    expect(await env.waitJob(notok.id, 'runs', done)).toMatchObject({ outcome: 'success' });
    expect(await env.waitJob(missing.id, 'is rejected', done)).toMatchObject({
      outcome: 'rejected',
    });
  });

  it('refuses jobs over quota with the quota outcome', async () => {
    env = await SchedulerEnv.create();
    await env.putUser('bob', {
      quota: {
        cpuSeconds: 100,
        ramGBSeconds: 0,
        gpuSeconds: 0,
        wallSeconds: 0,
        windowSeconds: 3600,
      },
    });
    await env.store.recordUsage({
      jobId: 424242,
      user: 'bob',
      project: 'default',
      at: Date.now() - 1000,
      cpuSeconds: 100,
      ramGBSeconds: 0,
      gpuSeconds: 0,
      wallSeconds: 100,
    });
    await env.startScheduler();
    const refused = await env.submit({}, 'bob');
    expect(await env.waitJob(refused.id, 'is refused', done)).toMatchObject({
      outcome: 'quota',
      status: { secondary: 'quota reached' },
    });
    const fine = await env.submit({}, 'alice');
    expect(await env.waitJob(fine.id, 'runs', done)).toMatchObject({ outcome: 'success' });
  });

  it('keeps a project within its simultaneous limits', async () => {
    env = await SchedulerEnv.create();
    await env.store.putProject({
      id: 'bio',
      description: '',
      members: ['alice'],
      priority: 50,
      quota: null,
      limits: { cpu: 2, ram: 0, gpus: 0, jobs: 0 },
      createdAt: Date.now(),
    });
    await env.startScheduler();
    const jobs = [];
    for (let i = 0; i < 5; i++)
      jobs.push(await env.submit({ project: 'bio', env: { FAKE_RUNTIME_MS: '200' } }));
    await env.waitJob(
      jobs[4]!.id,
      'waits on the project limit',
      (j) => j.why?.code === 'PROJECT_LIMIT' || j.state === 'over',
    );
    const ended = await Promise.all(jobs.map((j) => env!.waitJob(j.id, 'ends', done)));
    // Sweep the run intervals: never more than 2 cores of project bio at once.
    const points = ended
      .flatMap((j) => [[j.status.dates.started!, 1] as const, [j.status.dates.ended!, -1] as const])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let live = 0;
    let peak = 0;
    for (const [, d] of points) peak = Math.max(peak, (live += d));
    expect(peak).toBe(2);
  });

  it('runs an array as lazily made tasks with exact ids, a %limit, and ends it when they end', async () => {
    env = await SchedulerEnv.create({ sets: ['scheduler.array_window=2'] });
    await env.startScheduler();
    const parent = await env.submit({
      requirements: { array: '1:9:3%1' },
      env: { FAKE_RUNTIME_MS: '50' },
    });
    expect(await env.waitJob(parent.id, 'ends', done, 20_000)).toMatchObject({
      outcome: 'success',
    });
    const tasks = (await env.store.listJobs({ parent: parent.id })).jobs;
    expect(tasks.map((t) => t.taskId)).toEqual([1, 4, 7]);
    expect(tasks[1]!.env).toMatchObject({
      GODOCKER_TASK_ID: '4',
      GODOCKER_TASK_FIRST: '1',
      GODOCKER_TASK_LAST: '7',
      GODOCKER_TASK_STEP: '3',
    });
    // %1: each task started after the previous one ended.
    for (let i = 1; i < tasks.length; i++)
      expect(tasks[i]!.status.dates.started!).toBeGreaterThanOrEqual(
        tasks[i - 1]!.status.dates.ended!,
      );
  });

  it('kills the tasks of a killed array', async () => {
    env = await SchedulerEnv.create();
    await env.startScheduler();
    const parent = await env.submit({
      requirements: { array: '6' },
      env: { FAKE_RUNTIME_MS: '60000' },
    });
    await env.waitJob(parent.id, 'runs', (j) => j.state === 'running');
    expect(
      (
        await env.store.transition(parent.id, 'running', 'over', {
          outcome: 'killed',
          reason: 'killed by alice',
        })
      ).ok,
    ).toBe(true);
    await env.changed(parent.id);
    await waitFor('every task ended killed', async () => {
      const tasks = (await env!.store.listJobs({ parent: parent.id })).jobs;
      return tasks.length === 6 && tasks.every((t) => t.state === 'over' && t.outcome === 'killed');
    });
  });

  it('explains why a job waits, and rejects a job that fits on no host', async () => {
    env = await SchedulerEnv.create();
    await env.startScheduler();
    const huge = await env.submit({ requirements: { cpu: 64 } });
    expect(await env.waitJob(huge.id, 'is rejected', done)).toMatchObject({ outcome: 'rejected' });
    const blockers = [];
    for (let i = 0; i < 4; i++)
      blockers.push(
        await env.submit({ requirements: { cpu: 4 }, env: { FAKE_RUNTIME_MS: '1500' } }),
      );
    const waiting = await env.submit({ requirements: { cpu: 4 } });
    const w = await env.waitJob(
      waiting.id,
      'waits for resources',
      (j) => j.why?.code === 'RESOURCES' || j.why?.code === 'PRIORITY',
    );
    expect(w.why?.message.length).toBeGreaterThan(0);
    await env.waitJob(waiting.id, 'ends', done);
  });

  it('pauses in maintenance and resumes', async () => {
    env = await SchedulerEnv.create();
    const s = await env.startScheduler();
    await waitFor('leadership', () => s.leader() !== null);
    await s.setMaintenance(true);
    await waitFor('paused', () => s.leader()?.maintenance === true);
    const job = await env.submit({});
    await morePasses(s, 3); // none of them may place it
    const held = await env.store.getJob(job.id);
    expect(held?.state).toBe('pending');
    expect(held?.why?.code).toBe('MAINTENANCE');
    await s.setMaintenance(false);
    await env.waitJob(job.id, 'ends', done);
  });

  it('a new leader keeps the maintenance flag an operator set in Redis', async () => {
    env = await SchedulerEnv.create();
    // What `god maintenance on` writes, before any scheduler runs.
    await env.redis.hset(env.keys.schedulerSettings(), 'maintenance', '1');
    const job = await env.submit({});
    const s = await env.startScheduler();
    await waitFor('leader passed', () => (s.leader()?.lastPass ?? null) !== null);
    await morePasses(s, 3);
    expect((await env.store.getJob(job.id))?.state).toBe('pending');
    // `god maintenance off`: the flag and an event, as the CLI does.
    await env.redis.hset(env.keys.schedulerSettings(), 'maintenance', '0');
    await s.setMaintenance(false);
    await env.waitJob(job.id, 'ends', done);
  });

  it('hands over to a standby that rebuilds from the store, with a larger epoch', async () => {
    env = await SchedulerEnv.create();
    const a = await env.startScheduler();
    const b = await env.startScheduler();
    await waitFor('one leader', () => a.isLeader() !== b.isLeader());
    const [first, second] = a.isLeader() ? [a, b] : [b, a];
    const epoch1 = first.leader()!.epoch;
    const j1 = await env.submit({});
    await env.waitJob(j1.id, 'ends', done);
    await first.stop({ release: false }); // a crash: the lease expires on its own
    const j2 = await env.submit({});
    await waitFor('the standby leads', () => second.isLeader(), 5_000);
    const ended = await env.waitJob(j2.id, 'ends', done);
    expect(ended.epoch).toBeGreaterThan(epoch1);
  });

  it('rebuilds the rate-limit counters from the store', async () => {
    env = await SchedulerEnv.create();
    await env.submit({ hold: true }, 'carol');
    await env.submit({ hold: true }, 'carol');
    await env.redis.hset(env.keys.counters(), 'pending:user:carol', '57');
    const s = await env.startScheduler();
    await waitFor('leader rebuilt', () => s.leader()?.lastPass !== null && s.leader() !== null);
    await waitFor(
      'counter rebuilt',
      async () => (await env!.redis.hget(env!.keys.counters(), 'pending:user:carol')) === '2',
    );
  });
});

describe('quota kill', () => {
  it('kills running jobs with the quota outcome when kill_on_limit is on', async () => {
    env = await SchedulerEnv.create({ sets: ['quotas.kill_on_limit=true'] });
    await env.putUser('dave', {
      quota: { cpuSeconds: 3, ramGBSeconds: 0, gpuSeconds: 0, wallSeconds: 0, windowSeconds: 3600 },
    });
    await env.startScheduler();
    const job = await env.submit(
      { requirements: { cpu: 2 }, env: { FAKE_RUNTIME_MS: '60000' } },
      'dave',
    );
    const ended = await env.waitJob(job.id, 'is killed at its quota', done, 20_000);
    expect(ended).toMatchObject({ outcome: 'quota', status: { secondary: 'quota reached' } });
    expect(ended.status.reason).toMatch(/user dave quota of 3 cpu·s/);
    // 2 cores reach 3 cpu·s after 1.5 s; enforcement runs every 2 s.
    expect(ended.status.dates.ended! - ended.status.dates.started!).toBeLessThan(6_000);
  });
});

describe('pending counters', () => {
  it('takes placed and ended jobs off the pending counters', async () => {
    env = await SchedulerEnv.create();
    await env.startScheduler();
    const jobs = [];
    for (let i = 0; i < 3; i++) jobs.push(await env.submit({}, 'erin'));
    await env.redis.hset(env.keys.counters(), 'pending:user:erin', '3', 'pending', '3');
    await Promise.all(jobs.map((j) => env!.waitJob(j.id, 'ends', done)));
    await waitFor(
      'counters back to zero',
      async () => (await env!.redis.hget(env!.keys.counters(), 'pending:user:erin')) === null,
    );
  });
});

/** Waits until the leader of `s` has run `n` more scheduling passes than now. */
async function morePasses(s: Scheduler, n: number): Promise<void> {
  const from = s.leader()?.passes ?? 0;
  await waitFor(`${n} more passes`, () => (s.leader()?.passes ?? 0) >= from + n);
}
