import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type Config, type Job } from '@god/core';
import {
  createKeys,
  createQueues,
  queueNames,
  redisOptionsFromUrl,
  requestArchive,
  silentLogger,
  type Queues,
} from '@god/coord';
import { createStore, type Store } from '@god/store';
import { makeNewJob, services, waitFor } from '@god/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createArchiver, type Archiver } from './archiver.js';
import { isInside } from './task-dir.js';

const DAY = 86_400_000;
const NOW = Date.now();

let dir: string;
let shared: string;
let store: Store;
let queues: Queues;
let archivers: Archiver[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-archiver-'));
  shared = join(dir, 'tasks');
  store = await createStore(config().store);
  const keys = createKeys(`t-${randomBytes(6).toString('hex')}`);
  queues = createQueues({ connection: redisOptionsFromUrl(services.redisUrl()), keys });
  archivers = [];
});
afterEach(async () => {
  for (const a of archivers) await a.stop();
  await queues.closeAll();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function config(sets: string[] = []): Config {
  return resolveConfig({
    sets: [`store.sqlite.path=${join(dir, 'god.db')}`, `shared_dir=${shared}`, ...sets],
  });
}

function archiver(sets: string[] = []): Archiver {
  const a = createArchiver({ config: config(sets), store, queues, logger: silentLogger });
  archivers.push(a);
  return a;
}

/** A job of `user` ended `daysAgo` days ago (killed before running), with a task dir and usage. */
async function ended(daysAgo: number, user = 'alice'): Promise<Job> {
  const [job] = await store.insertJobs([makeNewJob({ user: { id: user } })]);
  const res = await store.transition(job!.id, 'pending', 'over', {
    outcome: 'killed',
    at: NOW - daysAgo * DAY,
  });
  if (!res.ok) throw new Error('could not end the job');
  await mkdir(join(shared, user, String(job!.id)), { recursive: true });
  await writeFile(join(shared, user, String(job!.id), 'god.log'), 'output');
  await store.recordUsage({
    jobId: job!.id,
    user,
    project: 'default',
    at: NOW - daysAgo * DAY,
    cpuSeconds: 10,
    ramGBSeconds: 20,
    gpuSeconds: 0,
    wallSeconds: 10,
  });
  return res.job;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('archiver', () => {
  it('archives only jobs older than clean_old, removes their task dirs, keeps the ledger', async () => {
    const old = await ended(8);
    const older = await ended(30, 'bob');
    const recent = await ended(6);
    const [alive] = await store.insertJobs([makeNewJob({ user: { id: 'alice' } })]);
    const ledger = await store.usageTotals({ since: 0 });
    expect(await archiver(['clean_old=7']).archiveOld()).toBe(2);

    for (const job of [old, older]) {
      expect(await store.getJob(job.id)).toMatchObject({
        state: 'archived',
        outcome: 'killed',
        status: { primary: 'archived', secondary: 'killed' },
      });
      expect(await exists(join(shared, job.user.id, String(job.id)))).toBe(false);
    }
    expect((await store.getJob(recent.id))?.state).toBe('over');
    expect(await exists(join(shared, 'alice', String(recent.id)))).toBe(true);
    expect((await store.getJob(alive!.id))?.state).toBe('pending');
    expect(await store.usageTotals({ since: 0 })).toEqual(ledger);
    expect(ledger.jobs).toBe(3);
    // Nothing more to do on a second pass.
    expect(await archiver(['clean_old=7']).archiveOld()).toBe(0);
  });

  it('never archives by age with clean_old 0, and takes a missing task dir in its stride', async () => {
    const job = await ended(400);
    expect(await archiver(['clean_old=0']).archiveOld()).toBe(0);
    expect((await store.getJob(job.id))?.state).toBe('over');
    await rm(join(shared, 'alice'), { recursive: true });
    expect(await archiver(['clean_old=1']).archiveOld()).toBe(1);
  });

  it('refuses a task dir that resolves outside shared_dir and leaves the job over', async () => {
    const outside = join(dir, 'precious');
    const [job] = await store.insertJobs([makeNewJob({ user: { id: 'mallory' } })]);
    await store.transition(job!.id, 'pending', 'over', { outcome: 'killed', at: NOW - 9 * DAY });
    await mkdir(join(outside, String(job!.id)), { recursive: true });
    await writeFile(join(outside, String(job!.id), 'keep'), 'x');
    await mkdir(shared, { recursive: true });
    await symlink(outside, join(shared, 'mallory'));
    const a = archiver(['clean_old=7']);
    expect(await a.archive(job!.id)).toBe('refused');
    expect(await a.archiveOld()).toBe(0);
    expect(await exists(join(outside, String(job!.id), 'keep'))).toBe(true);
    expect((await store.getJob(job!.id))?.state).toBe('over');
  });

  it('archives on request, only over jobs', async () => {
    const a = archiver(['clean_old=0']);
    await a.start();
    const job = await ended(0);
    const [alive] = await store.insertJobs([makeNewJob({ user: { id: 'alice' } })]);
    const queue = queues.createQueue(queueNames.archive);
    const answer = async (id: string): Promise<unknown> => {
      const done = await waitFor(`archive request ${id} to be handled`, async () => {
        const m = await queue.getJob(id);
        return m?.finishedOn === undefined ? null : m;
      });
      return done.returnvalue;
    };
    expect(await answer(await requestArchive(queues, { jobId: job.id, by: 'alice' }))).toBe(
      'archived',
    );
    expect(await exists(join(shared, 'alice', String(job.id)))).toBe(false);
    expect(await answer(await requestArchive(queues, { jobId: alive!.id, by: 'alice' }))).toBe(
      'not-finished',
    );
    expect(await answer(await requestArchive(queues, { jobId: job.id, by: 'alice' }))).toBe(
      'already-archived',
    );
    expect(await answer(await requestArchive(queues, { jobId: 999_999, by: 'alice' }))).toBe(
      'unknown',
    );
    const bad = await queue.add('archive', { jobId: 'x' });
    expect(await answer(bad.id!)).toBe('malformed');
  });

  it('tells paths strictly inside a root from the others', () => {
    expect(isInside('/srv/tasks', '/srv/tasks/alice/3')).toBe(true);
    expect(isInside('/srv/tasks', '/srv/tasks')).toBe(false);
    expect(isInside('/srv/tasks', '/srv/tasks-other/x')).toBe(false);
    expect(isInside('/srv/tasks', '/srv')).toBe(false);
    expect(isInside('/srv/tasks', '/etc/passwd')).toBe(false);
    expect(isInside('/srv/tasks', '/srv/tasks/..data')).toBe(true);
  });
});
