/** Reading and acting on jobs with the CLI, against a real web process. */
import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '@god/core';
import { waitFor } from '@god/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from '../../web/src/test-helpers.js';
import { runCli } from './cli.js';
import { makeRig, testContext, type CliRig } from './test-cli.js';

let h: WebHarness;
let alice: TestUser;
let bob: TestUser;
let asAlice: CliRig['run'];
let asBob: CliRig['run'];

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice');
  bob = await h.user('bob');
  asAlice = (await makeRig({ GOD_SERVER: h.url, GOD_API_KEY: alice.key })).run;
  asBob = (await makeRig({ GOD_SERVER: h.url, GOD_API_KEY: bob.key })).run;
});
afterAll(async () => {
  await h?.stop();
});

const json = <T>(r: { code: number; out: string; err: string }): T => {
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as T;
};

describe('reading jobs', () => {
  it('lists active jobs by default, finished ones with --all, filtered, as a table or JSON', async () => {
    const active = await h.jobOf(alice, { meta: { name: 'active-one', tags: ['blue'] } });
    const done = await h.runToEnd(await h.jobOf(alice, { meta: { name: 'done-one' } }), 2);
    const ids = (jobs: Job[]) => jobs.map((j) => j.id);
    const byDefault = json<Job[]>(await asAlice(['list', '--json']));
    expect(ids(byDefault)).toContain(active.id);
    expect(ids(byDefault)).not.toContain(done.id);
    expect(ids(json<Job[]>(await asAlice(['list', '--all', '--json'])))).toEqual(
      expect.arrayContaining([active.id, done.id]),
    );
    expect(ids(json<Job[]>(await asAlice(['list', '--state', 'over', '--json'])))).toEqual([
      done.id,
    ]);
    expect(ids(json<Job[]>(await asAlice(['list', '--tag', 'blue', '--json'])))).toEqual([
      active.id,
    ]);
    const limited = await asAlice(['list', '--all', '--limit', '1', '--json']);
    expect(JSON.parse(limited.out)).toHaveLength(1);
    expect(limited.err).toBe('god: only the first 1 jobs are shown (--limit N for more)\n');
    const table = await asAlice(['list', '--all']);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.out.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+STATE\s+USER\s+PROJECT\s+CPU\s+RAM\s+SUBMITTED\s+ENDED$/);
    expect(rows.find((r) => r.startsWith(`${done.id} `))).toMatch(
      /done-one\s+over:failed\(2\)\s+alice\s+default\s+1\s+1G\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/,
    );
    expect((await asAlice(['list', '--state', 'sleeping'])).code).toBe(2);
  });

  it('shows one job, why it waits, as text or as the API’s JSON', async () => {
    const job = await h.jobOf(alice, { meta: { name: 'shown' } });
    await h.store.setPendingReason(job.id, {
      code: 'RESOURCES',
      message: 'no shard has 64 free cores',
    });
    expect(json<Job>(await asAlice(['show', String(job.id), '--json']))).toEqual(
      await h.store.getJob(job.id),
    );
    const text = await asAlice(['show', String(job.id)]);
    expect(text.out).toMatch(new RegExp(`^job: +${job.id} shown\\n`));
    expect(text.out).toMatch(/\nwhy: +RESOURCES: no shard has 64 free cores\n/);
    expect(json(await asAlice(['why', String(job.id), '--json']))).toEqual({
      jobId: job.id,
      state: 'pending',
      code: 'RESOURCES',
      message: 'no shard has 64 free cores',
    });
    expect((await asAlice(['why', String(job.id)])).out).toBe(
      `job ${job.id} is pending (RESOURCES): no shard has 64 free cores\n`,
    );
  });

  it('answers another user’s job with the same clean 404 as a missing one', async () => {
    const job = await h.jobOf(alice);
    for (const args of [
      ['show', String(job.id)],
      ['why', String(job.id)],
      ['logs', String(job.id)],
    ]) {
      const r = await asBob(args);
      expect(r).toMatchObject({ code: 1, out: '', err: `god: job ${job.id} not found\n` });
    }
    expect((await asBob(['show', '99999999'])).err).toBe('god: job 99999999 not found\n');
    expect((await asBob(['show', 'x1'])).err).toBe('god: "x1" is not a job id\n');
  });

  it('prints logs, their tail, stderr, files and downloads', async () => {
    const job = await h.jobOf(alice);
    await h.writeTaskFile(job, 'god.log', 'one\ntwo\nthree\n');
    await h.writeTaskFile(job, 'god.err', 'oops\n');
    await h.writeTaskFile(job, 'out/result.bin', 'RESULT');
    const id = String(job.id);
    expect(await asAlice(['logs', id])).toMatchObject({ code: 0, out: 'one\ntwo\nthree\n' });
    expect((await asAlice(['logs', id, '--tail', '2'])).out).toBe('two\nthree\n');
    expect((await asAlice(['logs', id, '--stderr'])).out).toBe('oops\n');
    const files = json<{ entries: Array<{ name: string }> }>(
      await asAlice(['files', id, '--json']),
    );
    expect(files.entries.map((e) => e.name).sort()).toEqual(['god.err', 'god.log', 'out']);
    expect((await asAlice(['files', id, 'out'])).out).toMatch(
      /^TYPE\s+SIZE\s+MODIFIED\s+NAME\nfile\s+6\s+.*result\.bin\n$/,
    );
    expect((await asAlice(['download', id, 'out/result.bin'])).out).toBe('RESULT');
    const dir = await mkdtemp(join(tmpdir(), 'god-dl-'));
    expect((await asAlice(['download', id, 'out/result.bin', '-o', join(dir, 'r.bin')])).code).toBe(
      0,
    );
    expect(await readFile(join(dir, 'r.bin'), 'utf8')).toBe('RESULT');
    const missing = await asAlice(['download', id, 'nope.txt']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^god: .*not found/);
  });

  it('follows a log as it grows and exits with the job’s exit code', async () => {
    const job = await h.jobOf(alice);
    const log = await h.writeTaskFile(job, 'god.log', 'first\n');
    const t = testContext({ env: { GOD_SERVER: h.url, GOD_API_KEY: alice.key } });
    const follow = runCli(['logs', '-f', String(job.id)], t.ctx);
    await waitFor('the first line', () => t.out().includes('first\n'));
    await appendFile(log, 'second\n');
    await waitFor('the appended line', () => t.out().includes('second\n'));
    await h.runToEnd(job, 4);
    expect(await follow).toBe(4);
    expect(t.out()).toBe('first\nsecond\n');
    expect(t.err()).toBe(`god: job ${job.id} failed with exit code 4\n`);
  });
});

describe('acting on jobs', () => {
  it('holds, releases and updates, one line per id, exit 1 if any failed', async () => {
    const [a, b] = [await h.jobOf(alice), await h.jobOf(alice)];
    const done = await h.runToEnd(await h.jobOf(alice));
    const held = await asAlice(['hold', String(a.id), String(b.id)]);
    expect(held).toMatchObject({ code: 0, out: `job ${a.id}: held\njob ${b.id}: held\n` });
    expect((await h.store.getJob(a.id))?.state).toBe('held');
    const mixed = await asAlice(['release', String(a.id), String(done.id), '99999999']);
    expect(mixed.code).toBe(1);
    expect(mixed.out).toBe(`job ${a.id}: pending (released)\n`);
    expect(mixed.err).toContain(`god: job ${done.id}: conflict: job ${done.id} is over`);
    expect(mixed.err).toContain('god: job 99999999 not found');
    const updated = json<Job>(
      await asAlice([
        'update',
        String(b.id),
        '--name',
        'renamed',
        '--tag',
        'x',
        '--tag',
        'y',
        '--json',
      ]),
    );
    expect(updated.meta).toMatchObject({ name: 'renamed', tags: ['x', 'y'] });
    expect((await h.store.getJob(b.id))?.meta.name).toBe('renamed');
    const refused = await asAlice(['update', String(b.id), '--maxlifespan', '1h']);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('maxlifespan: only administrators may change maxlifespan');
    expect((await asAlice(['update', String(b.id)])).code).toBe(2);
  });

  it('queues kill, suspend and archive requests and reports what cannot apply', async () => {
    const pending = await h.jobOf(alice);
    const done = await h.runToEnd(await h.jobOf(alice));
    expect(await asAlice(['kill', String(pending.id), '--reason', 'not needed'])).toMatchObject({
      code: 0,
      out: `job ${pending.id}: kill requested\n`,
    });
    const suspend = await asAlice(['suspend', String(done.id)]);
    expect(suspend).toMatchObject({ code: 1, out: '' });
    expect(suspend.err).toBe(`god: job ${done.id}: conflict: job ${done.id} is already over\n`);
    expect((await asAlice(['archive', String(done.id)])).out).toBe(
      `job ${done.id}: archive requested\n`,
    );
    expect((await asBob(['kill', String(pending.id)])).err).toBe(
      `god: job ${pending.id} not found\n`,
    );
    expect((await asAlice(['kill', 'one'])).code).toBe(2);
  });
});
