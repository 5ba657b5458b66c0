/**
 * Removing task directories never follows a link: not a link planted by the job (to a host
 * directory, to another user's task directory), not a directory swapped for a link while the
 * removal runs.
 */
import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '@god/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeTaskDir } from './task-dir.js';

let dir: string;
let shared: string;
let precious: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-taskdir-'));
  shared = join(dir, 'tasks');
  precious = join(dir, 'precious');
  await mkdir(precious, { recursive: true });
  for (let i = 0; i < 50; i++) await writeFile(join(precious, `f${i}`), 'keep');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function jobOf(id: number, user = 'alice'): Pick<Job, 'id' | 'user'> {
  return { id, user: { id: user, uid: 3000, gid: 3000, sgids: [], project: 'default' } };
}

async function taskDir(id: number, user = 'alice'): Promise<string> {
  const d = join(shared, user, String(id));
  await mkdir(d, { recursive: true });
  return d;
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/** d is the real directory or a link to the precious one, back and forth, for 0.4 s. */
const ROUNDS = 20;
const SWAPPER = `
const { renameSync } = require('node:fs');
const [d, park] = process.argv.slice(1);
const end = Date.now() + 400;
for (let i = 0; Date.now() < end; i++) {
  if (i === 1) process.stdout.write('swapping\\n');
  try {
    renameSync(d + '/d', park + '/real');
    renameSync(park + '/link', d + '/d');
    renameSync(d + '/d', park + '/link');
    renameSync(park + '/real', d + '/d');
  } catch {
    process.exit(0);
  }
}`;

describe('removing a task directory', () => {
  it('removes links as links: host directories and other users’ task directories stay', async () => {
    const bobs = await taskDir(7, 'bob');
    await writeFile(join(bobs, 'results.csv'), 'bob');
    const d = await taskDir(8);
    await mkdir(join(d, 'sub'));
    await symlink(precious, join(d, 'sub', 'host'));
    await symlink(bobs, join(d, 'bobs'));
    await symlink(join(precious, 'f1'), join(d, 'f1'));
    expect(await removeTaskDir(shared, jobOf(8))).toBe('removed');
    expect(await exists(d)).toBe(false);
    expect(await readdir(precious)).toHaveLength(50);
    expect(await readdir(bobs)).toEqual(['results.csv']);
    expect(await removeTaskDir(shared, jobOf(8))).toBe('absent');
  });

  it('never deletes through a directory swapped for a link during the removal', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const d = await taskDir(100 + round);
      // Many entries, some named like the precious files, so the removal spends time inside d.
      await mkdir(join(d, 'd'));
      for (let i = 0; i < 1_000; i++) await writeFile(join(d, 'd', `f${i}`), 'x');
      // The swapper parks what is not in d outside the task directory (its owner can do that).
      const park = join(dir, `park${round}`);
      await mkdir(park);
      await symlink(precious, join(park, 'link'));
      // Another process (as a user on the host would), so it truly runs during the removal.
      const swapper = spawn(process.execPath, ['-e', SWAPPER, d, park], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const exited = once(swapper, 'exit');
      try {
        await once(swapper.stdout, 'data');
        await removeTaskDir(shared, jobOf(100 + round)).catch(() => 'changing');
      } finally {
        swapper.kill('SIGKILL');
        await exited;
      }
      expect(await readdir(precious)).toHaveLength(50);
    }
  });
});
