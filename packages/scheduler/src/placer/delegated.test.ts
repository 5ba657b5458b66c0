import { afterEach, describe, expect, it } from 'vitest';
import { SchedulerEnv } from '../test-harness.js';

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
    const waiting = await env.waitJob(third.id, 'waits', (j) => j.why !== null);
    expect(waiting.state).toBe('pending');
    expect(waiting.why).toMatchObject({
      code: 'RESOURCES',
      message: 'executor fake reports 0 cores free, the job asks 1',
    });
    for (const job of [first, second, third])
      expect(await env.waitJob(job.id, 'ends', done)).toMatchObject({ outcome: 'success' });
  });
});
