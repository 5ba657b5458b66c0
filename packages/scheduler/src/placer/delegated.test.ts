import { afterEach, describe, expect, it } from 'vitest';
import { createNodeRegistry } from '@god/coord';
import { SchedulerEnv, waitFor } from '../test-harness.js';

let env: SchedulerEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const done = (j: { state: string }) => j.state === 'over';

describe('delegated placer with the fake executor placing jobs itself', () => {
  it('hands jobs to the executor without cores, runs them, and keeps the rest pending while its capacity is used', async () => {
    env = await SchedulerEnv.create({
      sets: ['executor=fake'],
      fake: { delegated: { cores: 2, ram_gb: 4 } },
    });
    expect(env.executor.placesJobs).toBe(false);
    await env.startScheduler();
    const slow = { requirements: { cpu: 1 }, env: { FAKE_RUNTIME_MS: '1500' } };
    const first = await env.submit(slow);
    const second = await env.submit({ ...slow, requirements: { cpu: 1, executor: 'fake' } });
    const third = await env.submit({ requirements: { cpu: 1 } });
    for (const job of [first, second]) {
      const running = await env.waitJob(job.id, 'runs', (j) => j.state === 'running');
      expect(running.placement).toEqual({
        host: 'fake',
        shard: 'delegated',
        cpus: '',
        mems: '',
        gpus: [],
        ports: [],
      });
    }
    const waiting = await env.waitJob(third.id, 'waits', (j) => j.why?.code === 'RESOURCES');
    expect(waiting.state).toBe('pending');
    expect(waiting.why).toMatchObject({
      code: 'RESOURCES',
      message: 'executor fake reports 0 cores free, the job asks 1',
    });
    for (const job of [first, second, third])
      expect(await env.waitJob(job.id, 'ends', done)).toMatchObject({ outcome: 'success' });
  });

  it('a new leader takes over the jobs the executor placed without stranding them, still counting their capacity', async () => {
    env = await SchedulerEnv.create({
      sets: ['executor=fake'],
      fake: { delegated: { cores: 1, ram_gb: 4 } },
    });
    const first = await env.startScheduler();
    const running = await env.submit({
      requirements: { cpu: 1 },
      env: { FAKE_RUNTIME_MS: '2500' },
    });
    await env.waitJob(running.id, 'runs', (j) => j.state === 'running');
    await first.stop();
    const second = await env.startScheduler();
    const leader = await waitFor('a new leader', () => second.leader());
    const waiting = await env.submit({ requirements: { cpu: 1 } });
    const w = await env.waitJob(waiting.id, 'waits', (j) => j.why?.code === 'RESOURCES');
    expect(w.why?.message).toBe('executor fake reports 0 cores free, the job asks 1');
    expect(leader.state.cluster.stranded()).toEqual([]);
    for (const job of [running, waiting])
      expect(await env.waitJob(job.id, 'ends', done)).toMatchObject({ outcome: 'success' });
  });

  it('admits against the free capacity the executor reports (its other work included) and waits while it has none', async () => {
    env = await SchedulerEnv.create({
      sets: ['executor=fake'],
      fake: { delegated: { cores: 4, ram_gb: 8 } },
    });
    // The orchestrator runs 3 cores of other work; its next heartbeat says so.
    env.executor.setForeignLoad({ cpu: 3, ram: 0, gpus: 0 });
    await waitFor('the report', async () => {
      const [entry] = await createNodeRegistry({ redis: env!.redis, keys: env!.keys }).list();
      return entry?.host.free?.cpu === 1;
    });
    await env.startScheduler();
    const job = await env.submit({ requirements: { cpu: 2 } });
    const waiting = await env.waitJob(job.id, 'waits', (j) => j.why?.code === 'RESOURCES');
    expect(waiting.why?.message).toBe('executor fake reports 1 cores free, the job asks 2');
    expect(env.executor.startCount(job.id)).toBe(0);
    env.executor.setForeignLoad({ cpu: 0, ram: 0, gpus: 0 });
    expect(await env.waitJob(job.id, 'ends', done)).toMatchObject({ outcome: 'success' });
  });

  it('rejects a job larger than the whole executor once it has fit it for host_timeout_ms, saying why', async () => {
    env = await SchedulerEnv.create({
      sets: ['executor=fake'],
      fake: { delegated: { cores: 4, ram_gb: 8 } },
    });
    await env.startScheduler();
    const big = await env.submit({ requirements: { cpu: 5 } });
    const ended = await env.waitJob(big.id, 'is rejected', (j) => j.state === 'over');
    expect(ended).toMatchObject({ outcome: 'rejected' });
    expect(ended.status.reason).toBe('executor fake has 4 cores in all, the job asks 5');
    expect(env.executor.startCount(big.id)).toBe(0);
  });

  it('keeps its jobs waiting, not placed elsewhere, while the executor stops heartbeating', async () => {
    env = await SchedulerEnv.create({
      sets: ['executor=fake'],
      fake: { delegated: { cores: 4, ram_gb: 8 } },
    });
    const scheduler = await env.startScheduler();
    await waitFor('the executor seen', () => scheduler.leader()?.lastPass);
    await env.agent.stop();
    await waitFor(
      'the leader sees it silent',
      () => scheduler.leader()?.delegates.get('fake') === null,
    );
    const job = await env.submit({ requirements: { cpu: 1 } });
    const w = await env.waitJob(
      job.id,
      'waits',
      (j) => j.why?.message === 'executor fake is not answering (no recent heartbeat)',
    );
    expect(w.state).toBe('pending');
  });
});
