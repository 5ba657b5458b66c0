/**
 * Stripping a task directory: set-id bits and file capabilities go, device nodes go, and nothing
 * outside is touched (links, hard links to files the job does not own), whatever the names.
 */
import { execFileSync } from 'node:child_process';
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_DEPTH, stripTaskDir } from './strip.js';

let dir: string;
let task: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-strip-'));
  task = join(dir, 'task');
  await mkdir(task);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (p: string | Buffer): Promise<number> => (await lstat(p)).mode & 0o7777;

function capsOf(path: string): string {
  return execFileSync('getcap', [path], { encoding: 'utf8' }).trim();
}

function hasSetcap(): boolean {
  try {
    execFileSync('setcap', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as { status?: number }).status !== undefined;
  }
}

describe('stripping a task directory', () => {
  it('clears set-uid/set-gid bits everywhere, names that are not UTF-8 included', async () => {
    await writeFile(join(task, 'a'), '#!/bin/sh\n');
    await chmod(join(task, 'a'), 0o4755);
    await mkdir(join(task, 'sub', 'deep'), { recursive: true });
    await writeFile(join(task, 'sub', 'deep', 'b'), 'x');
    await chmod(join(task, 'sub', 'deep', 'b'), 0o2750);
    const odd = Buffer.concat([Buffer.from(`${task}/`), Buffer.from([0xff, 0x0a])]);
    await writeFile(odd, 'x');
    await chmod(odd, 0o6711);
    const report = await stripTaskDir(task, { uid: 0 });
    expect(await mode(join(task, 'a'))).toBe(0o755);
    expect(await mode(join(task, 'sub', 'deep', 'b'))).toBe(0o750);
    expect(await mode(odd)).toBe(0o711);
    expect(report.stripped).toBe(3);
  });

  it.runIf(hasSetcap())('clears file capabilities of a root job’s files', async () => {
    const bin = join(task, 'ping');
    await copyFile('/bin/sh', bin);
    execFileSync('setcap', ['cap_net_raw+ep', bin]);
    expect(capsOf(bin)).toContain('cap_net_raw');
    await stripTaskDir(task, { uid: 0 });
    expect(capsOf(bin)).not.toContain('cap_net_raw');
  });

  it('removes device nodes', async () => {
    execFileSync('mknod', [join(task, 'mem'), 'c', '1', '1']);
    expect((await stripTaskDir(task, { uid: 0 })).devices).toBe(1);
    await expect(lstat(join(task, 'mem'))).rejects.toThrow();
  });

  it('follows no link and leaves hard links to files the job does not own alone', async () => {
    const outside = join(dir, 'outside-suid');
    await writeFile(outside, 'x');
    await chmod(outside, 0o4755);
    await symlink(outside, join(task, 'link'));
    await mkdir(join(dir, 'outdir'));
    await writeFile(join(dir, 'outdir', 'f'), 'x');
    await chmod(join(dir, 'outdir', 'f'), 0o4755);
    await symlink(join(dir, 'outdir'), join(task, 'dirlink'));
    // A hard link (made from the host) to root's set-uid file, in a user's (uid 3000) task dir.
    await link(outside, join(task, 'hard'));
    const report = await stripTaskDir(task, { uid: 3000 });
    expect(await mode(outside)).toBe(0o4755);
    expect(await mode(join(dir, 'outdir', 'f'))).toBe(0o4755);
    expect(report).toMatchObject({ stripped: 0, foreign: 1 });
    // The job's own hard link is stripped (a root job cannot dodge it with a second name).
    await chown(outside, 3000, 3000);
    await chmod(outside, 0o4755);
    expect((await stripTaskDir(task, { uid: 3000 })).stripped).toBe(1);
    expect(await mode(outside)).toBe(0o755);
  });

  it('seals directories deeper than it walks', async () => {
    let at = task;
    for (let i = 0; i < MAX_DEPTH + 2; i++) at = join(at, 'd');
    await mkdir(at, { recursive: true });
    await writeFile(join(at, 'deep'), 'x');
    await chmod(join(at, 'deep'), 0o4755);
    const report = await stripTaskDir(task, { uid: 0 });
    expect(report.sealed).toBe(1);
    let sealed = task;
    for (let i = 0; i < MAX_DEPTH; i++) sealed = join(sealed, 'd');
    expect((await stat(sealed)).mode & 0o777).toBe(0);
  });

  it('closes a root job’s directory again before walking it', async () => {
    await chmod(task, 0o777);
    await stripTaskDir(task, { uid: 0 });
    expect(await mode(task)).toBe(0o700);
    await chmod(task, 0o755);
    await stripTaskDir(task, { uid: 3000 });
    expect(await mode(task)).toBe(0o755);
  });

  it('takes an absent directory in its stride', async () => {
    expect(await stripTaskDir(join(dir, 'none'), { uid: 0 })).toMatchObject({ stripped: 0 });
  });
});
