/**
 * The scheduler treats a dependency on a job its owner may not see exactly as one on a job that
 * does not exist (defence in depth behind submission: memberships change, and jobs may reach the
 * store by other ways than the API). Real Redis, SQLite, agent and scheduler.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SchedulerEnv } from './test-harness.js';

let env: SchedulerEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const MISSING = 999_999;
const over = (j: { state: string }) => j.state === 'over';
const long = { env: { FAKE_RUNTIME_MS: '60000' } };

describe('dependencies across owners', () => {
  it('rejects a dependency on another user’s job with the words of a missing one', async () => {
    env = await SchedulerEnv.create();
    await env.startScheduler();
    const alices = await env.submit(long, 'alice', 1001);
    const onMissing = await env.submit({ requirements: { tasks: [MISSING] } }, 'bob', 1002);
    const onAlices = await env.submit({ requirements: { tasks: [alices.id] } }, 'bob', 1002);
    const missing = await env.waitJob(onMissing.id, 'is rejected', over);
    const other = await env.waitJob(onAlices.id, 'is rejected', over);
    expect(missing).toMatchObject({ outcome: 'rejected' });
    expect(other).toMatchObject({ outcome: 'rejected' });
    expect(missing.status.reason).toBe(`dependency ${MISSING} does not exist`);
    expect(other.status.reason).toBe(`dependency ${alices.id} does not exist`);
  });

  it('lets administrators and, when shared, project members wait on a job they see', async () => {
    env = await SchedulerEnv.create({ sets: ['auth.share_project_tasks=true'] });
    await env.putUser('boss', { admin: true });
    await env.store.putProject({
      id: 'genomics',
      description: '',
      members: ['alice', 'carol'],
      priority: 50,
      quota: null,
      limits: null,
      createdAt: Date.now(),
    });
    await env.startScheduler();
    const target = await env.submit({ ...long, project: 'genomics' }, 'alice', 1001);
    const byBoss = await env.submit({ requirements: { tasks: [target.id] } }, 'boss', 1003);
    const byCarol = await env.submit({ requirements: { tasks: [target.id] } }, 'carol', 1004);
    const byEve = await env.submit({ requirements: { tasks: [target.id] } }, 'eve', 1005);
    for (const id of [byBoss.id, byCarol.id])
      expect(
        await env.waitJob(id, 'waits for its dependency', (j) => j.why?.code === 'DEPENDENCY'),
      ).toMatchObject({ state: 'pending' });
    expect(await env.waitJob(byEve.id, 'is rejected', over)).toMatchObject({
      outcome: 'rejected',
      status: { reason: `dependency ${target.id} does not exist` },
    });
  });
});
