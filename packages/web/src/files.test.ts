/** Task directory files, logs (tail and follow) and live events over HTTP. */
import { mkdir, symlink, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerEvent } from '@god/client';
import { EVENTS, taskDirOf } from '@god/core';
import { createEventPublisher } from '@god/coord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice');
});
afterAll(async () => {
  await h?.stop();
});

describe('task directory files', () => {
  it('lists and downloads files inside the task directory', async () => {
    const job = await h.jobOf(alice);
    await h.writeTaskFile(job, 'god.log', 'out\n');
    await h.writeTaskFile(job, 'results/table.csv', 'a,b\n1,2\n');
    const root = await alice.client.files(job.id);
    expect(root.entries.map((e) => [e.name, e.type])).toEqual([
      ['god.log', 'file'],
      ['results', 'directory'],
    ]);
    expect((await alice.client.files(job.id, 'results')).entries[0]).toMatchObject({
      name: 'table.csv',
      size: 8,
    });
    const res = await alice.client.download(job.id, 'results/table.csv');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=table.csv');
    expect(await res.text()).toBe('a,b\n1,2\n');
  });

  it('lists no files (not 404) for a job whose task directory is not made yet, 404 once it ended without one', async () => {
    const job = await h.jobOf(alice);
    expect(await alice.client.files(job.id)).toEqual({ path: '', entries: [] });
    expect((await failure(alice.client.files(job.id, 'results'))).status).toBe(404);
    await h.store.transition(job.id, 'pending', 'over', { outcome: 'killed', reason: 'test' });
    expect((await failure(alice.client.files(job.id))).status).toBe(404);
  });

  it('never leaves the task directory: .., absolute paths, and symlinks planted by the job', async () => {
    const job = await h.jobOf(alice);
    const dir = taskDirOf(h.config.shared_dir, job);
    await h.writeTaskFile(job, 'god.log', 'out\n');
    const secret = join(h.dir, 'secret.txt');
    await writeFile(secret, 'root only\n');
    await symlink(secret, join(dir, 'escape'));
    await symlink('/etc', join(dir, 'etcdir'));
    await symlink(join(dir, 'god.log'), join(dir, 'inside-link'));
    for (const path of ['../../../secret.txt', '/etc/passwd', 'sub/../../x', 'a\0b']) {
      const err = await failure(alice.client.download(job.id, path));
      expect(err.status).toBe(400);
      expect(err.issues[0]?.path).toBe('query.path');
    }
    for (const path of ['escape', 'etcdir/passwd', 'etcdir', 'missing', 'inside-link']) {
      expect((await failure(alice.client.download(job.id, path))).status).toBe(404);
    }
    expect((await failure(alice.client.files(job.id, 'etcdir'))).status).toBe(404);
  });

  it('answers 404, not 500, for names longer than the file system allows', async () => {
    const job = await h.jobOf(alice);
    await h.writeTaskFile(job, 'god.log', 'out\n');
    // 300 bytes and 100 three-byte characters: past NAME_MAX (255 bytes), within the query's limit.
    for (const path of ['x'.repeat(300), `a/${'y'.repeat(300)}`, '日'.repeat(100)]) {
      expect((await failure(alice.client.files(job.id, path))).status).toBe(404);
      expect((await failure(alice.client.download(job.id, path))).status).toBe(404);
    }
  });

  it('refuses what is not a regular file or a directory', async () => {
    const job = await h.jobOf(alice);
    const dir = taskDirOf(h.config.shared_dir, job);
    await mkdir(dir, { recursive: true });
    expect((await failure(alice.client.download(job.id, ''))).status).toBe(404);
  });
});

describe('logs', () => {
  it('gives the whole output, its last lines, and stderr', async () => {
    const job = await h.jobOf(alice);
    await h.writeTaskFile(
      job,
      'god.log',
      Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n') + '\n',
    );
    await h.writeTaskFile(job, 'god.err', 'warning\n');
    expect((await alice.client.logs(job.id)).split('\n')).toHaveLength(11);
    expect(await alice.client.logs(job.id, { tail: 2 })).toBe('line 9\nline 10\n');
    expect(await alice.client.logs(job.id, { tail: 0 })).toBe('');
    expect(await alice.client.logs(job.id, { stream: 'stderr' })).toBe('warning\n');
    expect(await alice.client.logs((await h.jobOf(alice)).id)).toBe('');
  });

  it('follows the output as it grows and ends with the job’s exit code', async () => {
    const job = await h.jobOf(alice);
    const log = await h.writeTaskFile(job, 'god.log', 'first\n');
    const got: ServerEvent[] = [];
    const following = (async () => {
      for await (const e of alice.client.followLogs(job.id)) got.push(e);
    })();
    await expect.poll(() => got.length, { timeout: 5_000 }).toBeGreaterThan(0);
    await appendFile(log, 'second\n');
    await expect
      .poll(() => got.map((e) => (e.data as { text?: string }).text ?? '').join(''))
      .toBe('first\nsecond\n');
    await appendFile(log, 'last words\n');
    await h.runToEnd(job, 3);
    await following;
    const text = got
      .filter((e) => e.event === 'output')
      .map((e) => (e.data as { text: string }).text)
      .join('');
    expect(text).toBe('first\nsecond\nlast words\n');
    expect(got.at(-1)).toEqual({
      event: 'end',
      data: { state: 'over', outcome: 'failed', exitcode: 3 },
    });
  });
});

describe('live events', () => {
  it('streams events of the caller’s jobs only (all of them to administrators)', async () => {
    const bob = await h.user('bob');
    const boss = await h.user('boss', { admin: true });
    const mine = await h.jobOf(alice);
    const theirs = await h.jobOf(bob);
    const seen = { alice: [] as number[], boss: [] as number[] };
    const ctl = new AbortController();
    const listen = (u: TestUser, into: number[]) =>
      (async () => {
        for await (const e of u.client.events({ signal: ctl.signal })) {
          const id = (e.data as { jobId?: number }).jobId;
          if (id !== undefined) into.push(id);
        }
      })().catch(() => undefined);
    const done = [listen(alice, seen.alice), listen(boss, seen.boss)];
    await expect.poll(() => h.web.ctx.live.clients()).toBe(2);
    const publisher = createEventPublisher({ redis: h.web.ctx.redis, keys: h.web.ctx.keys });
    await publisher.publish(EVENTS.changed, { jobId: theirs.id });
    await publisher.publish(EVENTS.changed, { jobId: mine.id });
    await expect.poll(() => seen.boss).toEqual([theirs.id, mine.id]);
    await expect.poll(() => seen.alice).toEqual([mine.id]);
    ctl.abort();
    await Promise.all(done);
    await expect.poll(() => h.web.ctx.live.clients()).toBe(0);
  });
});
