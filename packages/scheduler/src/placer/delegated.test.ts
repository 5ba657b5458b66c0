import { afterEach, describe, expect, it } from 'vitest';
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
});
