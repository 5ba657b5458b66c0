/**
 * The archiver's removal of task directories under attack by the job (job-actor.ts, with the
 * job's uid), on directories laid out by the product (prepareTaskDir): a tree deeper than
 * PATH_MAX, and subdirectories swapped for links to a root-only directory while the removal
 * runs. Nothing outside the task directory may ever be deleted, and one job's directory that
 * resists must not keep other jobs from being archived.
 */
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createArchiver, removeTaskDir } from '@god/archiver';
import { createQueues, redisOptions, silentLogger, type Queues } from '@god/coord';
import { taskDirOf, type Job } from '@god/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareTaskDir } from '../../plugins/executor-docker/src/task-dir.js';
import { startGodWeb, type God } from './god.js';
import { actAs, type Step } from './job-actor.js';

let god: God;
let queues: Queues;
let outside: string;

beforeAll(async () => {
  god = await startGodWeb();
  await chmod(god.dir, 0o711);
  outside = join(god.dir, 'outside');
  await mkdir(outside, { mode: 0o700 });
  queues = createQueues({
    connection: redisOptions(god.config.redis),
    keys: god.keys,
    logger: silentLogger,
  });
}, 120_000);

afterAll(async () => {
  await queues?.closeAll();
  await god?.stop();
});

/** An over job of alice's with a prepared task directory; `steps` run in it as alice. */
async function aliceJob(steps: Step[]): Promise<{ job: Job; dir: string }> {
  const job = await god.runToEnd(await god.jobOf(god.alice));
  const dir = taskDirOf(god.config.shared_dir, job);
  await prepareTaskDir(dir, 'echo hi\n', { uid: god.alice.uid, gid: god.alice.uid }, god.alice.uid);
  await actAs(god.alice.uid, dir, { kind: 'once', steps });
  return { job, dir };
}

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

describe('the archiver against the job', () => {
  const deep = 'removes a task directory deeper than PATH_MAX';
  it(
    deep,
    async () => {
      const { job, dir } = await aliceJob([{ op: 'deep', name: 'd', depth: 2_100, file: 'leaf' }]);
      expect(await removeTaskDir(god.config.shared_dir, job)).toBe('removed');
      expect(await exists(dir)).toBe(false);
    },
    60_000,
  );

  const others = 'archives the other finished jobs when one task directory resists removal';
  it(
    others,
    async () => {
      const stuck = await aliceJob([{ op: 'deep', name: 'd', depth: 2_100, file: 'leaf' }]);
      const fine = await aliceJob([{ op: 'write', path: 'out.txt', text: 'x' }]);
      const archiver = createArchiver({
        config: { ...god.config, clean_old: 1 },
        store: god.store,
        queues,
        logger: silentLogger,
        now: () => Date.now() + 2 * 86_400_000,
      });
      await archiver.archiveOld().catch(() => undefined);
      expect((await god.store.getJob(fine.job.id))?.state).toBe('archived');
      expect(stuck.job.id).toBeLessThan(fine.job.id);
    },
    60_000,
  );

  const swap =
    'never deletes outside the task directory when a subdirectory is swapped for a link during removal';
  it(
    swap,
    async () => {
      const canary = `canary-${randomBytes(4).toString('hex')}`;
      const victims = Array.from({ length: 50 }, (_, i) => join(outside, `${canary}-${i}`));
      for (const v of victims) await writeFile(v, 'precious');
      // Many entries in `s`, so the removal spends time inside it while the job swaps it.
      const files = Array.from({ length: 200 }, (_, i): Step => ({
        op: 'write',
        path: `s/f${i}`,
        text: 'x',
      }));
      const swapSteps: Step[] = [
        { op: 'rename', from: 's', to: 's.real' },
        { op: 'symlink', target: outside, path: 's' },
        { op: 'unlink', path: 's' },
        { op: 'rename', from: 's.real', to: 's' },
      ];
      for (let round = 0; round < 6; round++) {
        const { job, dir } = await aliceJob([{ op: 'mkdir', path: 's' }, ...files]);
        const stop = join(dir, '..', `.stop-${job.id}`);
        const actor = actAs(god.alice.uid, dir, {
          kind: 'loop',
          steps: swapSteps,
          stop,
          ms: 1_500,
        });
        await removeTaskDir(god.config.shared_dir, job).catch(() => undefined);
        await actor.catch(() => undefined);
        const lost = [];
        for (const v of victims) if (!(await exists(v))) lost.push(v);
        expect(lost, `round ${round}`).toEqual([]);
      }
    },
    120_000,
  );
});
