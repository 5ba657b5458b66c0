/** Cgroup paths and readings, on fake cgroup trees in temp dirs (v1 and v2 layouts). */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  jobCgroup,
  layoutOf,
  parseStat,
  readCpuSeconds,
  readMemoryBytes,
  removeJobCgroup,
  sliceDir,
} from './cgroup.js';
import { recordingLogger } from './test-helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'god-cgroup-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('jobCgroup', () => {
  it('gives a path under the prefix with cgroupfs', () => {
    expect(jobCgroup('cgroupfs', 'god', 4, 2)).toEqual({
      parent: '/god/job-4-2',
      dir: 'god/job-4-2',
    });
  });

  it('gives a slice with systemd, nested as systemd nests it', () => {
    expect(jobCgroup('systemd', 'god', 4, 2)).toEqual({
      parent: 'god-job-4-2.slice',
      dir: 'god.slice/god-job.slice/god-job-4.slice/god-job-4-2.slice',
    });
    expect(sliceDir('a.slice')).toBe('a.slice');
  });
});

describe('layoutOf', () => {
  it('reads the driver and version from docker info, else from the mount', () => {
    expect(
      layoutOf({ CgroupDriver: 'systemd', CgroupVersion: '2' }, '/sys/fs/cgroup/', false),
    ).toEqual({ driver: 'systemd', version: 2, root: '/sys/fs/cgroup' });
    expect(layoutOf({ CgroupDriver: 'cgroupfs', CgroupVersion: '1' }, '/c', true).version).toBe(1);
    expect(layoutOf({}, '/c', true)).toEqual({ driver: 'cgroupfs', version: 2, root: '/c' });
    expect(layoutOf({}, '/c', false).version).toBe(1);
  });
});

describe('readings on cgroup v1', () => {
  it('reads CPU ns as seconds and memory as rss + swap without cache', async () => {
    const root = await tree({
      'cpuacct/god/job-1-1/cpuacct.usage': '2500000000\n',
      'memory/god/job-1-1/memory.stat':
        'cache 999999\nrss 5\ntotal_cache 888888\ntotal_rss 1000\ntotal_swap 24\n',
    });
    const layout = { driver: 'cgroupfs', version: 1, root } as const;
    expect(await readCpuSeconds(layout, 'god/job-1-1')).toBe(2.5);
    expect(await readMemoryBytes(layout, 'god/job-1-1')).toBe(1024);
  });

  it('reads null for a cgroup that is gone', async () => {
    const root = await tree({});
    const layout = { driver: 'cgroupfs', version: 1, root } as const;
    expect(await readCpuSeconds(layout, 'god/job-9-1')).toBeNull();
    expect(await readMemoryBytes(layout, 'god/job-9-1')).toBeNull();
  });
});

describe('readings on cgroup v2', () => {
  it('reads usage_usec and anon, bounded by memory.peak', async () => {
    const root = await tree({
      'god/job-1-1/cpu.stat': 'usage_usec 1500000\nuser_usec 1000000\n',
      'god/job-1-1/memory.stat': 'anon 4096\nfile 100000\n',
      'god/job-1-1/memory.peak': '3000\n',
    });
    const layout = { driver: 'cgroupfs', version: 2, root } as const;
    expect(await readCpuSeconds(layout, 'god/job-1-1')).toBe(1.5);
    expect(await readMemoryBytes(layout, 'god/job-1-1')).toBe(3000);
  });
});

describe('removeJobCgroup', () => {
  it('removes the run dir in every v1 hierarchy, keeps the prefix, and ignores missing ones', async () => {
    const root = await tree({ 'cpuacct/god/keep': '' });
    await mkdir(join(root, 'cpuacct/god/job-1-1'));
    await mkdir(join(root, 'memory/god/job-1-1'), { recursive: true });
    const { logger, lines } = recordingLogger();
    await removeJobCgroup({ driver: 'cgroupfs', version: 1, root }, 'god/job-1-1', logger);
    expect((await readdir(join(root, 'cpuacct/god'))).sort()).toEqual(['keep']);
    expect(await readdir(join(root, 'memory/god'))).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('leaves a busy dir with a debug line', async () => {
    const root = await tree({ 'memory/god/job-1-1/busy': '' });
    const { logger, lines } = recordingLogger();
    await removeJobCgroup({ driver: 'cgroupfs', version: 1, root }, 'god/job-1-1', logger);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^debug cgroup left in place .*ENOTEMPTY/);
  });
});

describe('parseStat', () => {
  it('keeps numeric key-value lines only', () => {
    expect([...parseStat('a 1\nb x\n\n c  22 \nhierarchical_memory_limit 9\n')]).toEqual([
      ['a', 1],
      ['c', 22],
      ['hierarchical_memory_limit', 9],
    ]);
  });
});
