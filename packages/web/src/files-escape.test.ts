/**
 * Task directory browsing and download never reach past the task directory nor past the job's
 * own rights: links planted by the job (to host files, to another user's task directory), hard
 * links to files the job cannot read, and links swapped in while requests run.
 */
import { chmod, chown, link, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { taskDirOf } from '@god/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice', { uid: 3101 });
  bob = await h.user('bob', { uid: 3102 });
});
afterAll(async () => {
  await h?.stop();
});

/** A host file only root may read, with a size no file of the test has. */
async function hostSecret(name: string): Promise<string> {
  const path = join(h.dir, name);
  await writeFile(path, 'SECRET'.repeat(1234));
  await chmod(path, 0o600);
  return path;
}

describe('links planted by a job', () => {
  it('lists a link as itself (its own size), never what it points to, and serves nothing through it', async () => {
    const job = await h.jobOf(alice);
    const dir = taskDirOf(h.config.shared_dir, job);
    await h.writeTaskFile(job, 'god.log', 'out\n');
    const secret = await hostSecret('shadow');
    await symlink(secret, join(dir, 's'));
    await symlink(h.dir, join(dir, 'hostdir'));
    await symlink('god.log', join(dir, 'inside-link'));
    const entries = (await alice.client.files(job.id)).entries;
    const s = entries.find((e) => e.name === 's');
    expect(s).toMatchObject({ type: 'other', size: secret.length });
    expect(entries.find((e) => e.name === 'hostdir')?.type).toBe('other');
    expect(entries.find((e) => e.name === 'inside-link')?.type).toBe('other');
    for (const path of ['s', 'hostdir/shadow', 'inside-link'])
      expect((await failure(alice.client.download(job.id, path))).status).toBe(404);
    expect((await failure(alice.client.files(job.id, 'hostdir'))).status).toBe(404);
  });

  it('does not reach into another user’s task directory through a link', async () => {
    const theirs = await h.jobOf(bob);
    const theirDir = taskDirOf(h.config.shared_dir, theirs);
    await h.writeTaskFile(theirs, 'results.csv', 'bob,private\n');
    await chown(theirDir, bob.uid, bob.uid);
    await chmod(theirDir, 0o700);
    const job = await h.jobOf(alice);
    const dir = taskDirOf(h.config.shared_dir, job);
    await h.writeTaskFile(job, 'god.log', 'out\n');
    await symlink(theirDir, join(dir, 'bobs'));
    await symlink(join(theirDir, 'results.csv'), join(dir, 'r.csv'));
    expect((await failure(alice.client.files(job.id, 'bobs'))).status).toBe(404);
    expect((await failure(alice.client.download(job.id, 'bobs/results.csv'))).status).toBe(404);
    expect((await failure(alice.client.download(job.id, 'r.csv'))).status).toBe(404);
    const r = (await alice.client.files(job.id)).entries.find((e) => e.name === 'r.csv');
    expect(r?.size).not.toBe('bob,private\n'.length);
  });

  it('serves nothing the job itself could not read (hard link, closed directory)', async () => {
    const job = await h.jobOf(alice);
    const dir = taskDirOf(h.config.shared_dir, job);
    await h.writeTaskFile(job, 'god.log', 'out\n');
    const secret = await hostSecret('hard-secret');
    await link(secret, join(dir, 'hard'));
    await mkdir(join(dir, 'closed'));
    await writeFile(join(dir, 'closed', 'x'), 'x');
    await chown(join(dir, 'closed'), bob.uid, bob.uid);
    await chmod(join(dir, 'closed'), 0o700);
    expect((await failure(alice.client.download(job.id, 'hard'))).status).toBe(404);
    expect((await failure(alice.client.download(job.id, 'closed/x'))).status).toBe(404);
    expect((await failure(alice.client.files(job.id, 'closed'))).status).toBe(404);
    // What the job can read is served.
    expect(await (await alice.client.download(job.id, 'god.log')).text()).toBe('out\n');
  });
});

describe('set-id files', () => {
  it('are not served while they keep a set-uid or set-gid bit', async () => {
    const job = await h.jobOf(alice);
    const dir = taskDirOf(h.config.shared_dir, job);
    await h.writeTaskFile(job, 'suid', 'ELF');
    await chmod(join(dir, 'suid'), 0o4755);
    expect((await failure(alice.client.download(job.id, 'suid'))).status).toBe(403);
    await chmod(join(dir, 'suid'), 0o755);
    expect(await (await alice.client.download(job.id, 'suid')).text()).toBe('ELF');
  });
});

describe('links swapped during requests', () => {
  it('never serves or lists a byte of what a swapped link points to', async () => {
    const job = await h.jobOf(alice);
    const dir = taskDirOf(h.config.shared_dir, job);
    await h.writeTaskFile(job, 'god.log', 'out\n');
    const outside = join(h.dir, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'f'), 'SECRET-OUTSIDE');
    await writeFile(join(outside, 'outside-only-name'), 'SECRET-OUTSIDE');
    // d/f is a directory with a file, or a link to the outside directory; f is a file or a link.
    let swapping = true;
    const swapper = (async () => {
      for (let i = 0; swapping; i++) {
        const tmp = join(dir, `.tmp${i}`);
        const tmpF = join(dir, `.tmpf${i}`);
        if (i % 2 === 0) {
          await symlink(outside, tmp);
          await symlink(join(outside, 'f'), tmpF);
        } else {
          await mkdir(tmp);
          await writeFile(join(tmp, 'f'), 'inside!');
          await writeFile(tmpF, 'inside!');
        }
        await rm(join(dir, 'd'), { recursive: true, force: true });
        await rename(tmp, join(dir, 'd'));
        await rename(tmpF, join(dir, 'f'));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const seen = { served: 0, listed: 0 };
    try {
      const deadline = Date.now() + 4_000;
      while (Date.now() < deadline) {
        const answers = await Promise.all([
          alice.client.download(job.id, 'd/f').then((r) => r.text(), errText),
          alice.client.download(job.id, 'f').then((r) => r.text(), errText),
          alice.client.files(job.id, 'd').then((l) => JSON.stringify(l), errText),
          alice.client.files(job.id).then((l) => JSON.stringify(l), errText),
        ]);
        for (const a of answers) {
          expect(a).not.toContain('SECRET');
          expect(a).not.toContain('outside-only-name');
          expect(a).not.toMatch(/"size":14\b/);
        }
        if (answers[0] === 'inside!' || answers[1] === 'inside!') seen.served++;
        if (answers[2]?.includes('"name":"f"')) seen.listed++;
      }
    } finally {
      swapping = false;
      await swapper;
    }
    // The race really ran both ways: inside files were served and listed meanwhile.
    expect(seen.served).toBeGreaterThan(0);
    expect(seen.listed).toBeGreaterThan(0);
  });
});

function errText(err: unknown): string {
  return `error ${String((err as { status?: number }).status)}`;
}
