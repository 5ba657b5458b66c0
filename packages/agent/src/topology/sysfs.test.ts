import { readFile, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { GodError } from '@god/core';
import { parseCpuset } from './cpuset.js';
import { readSysfsTopology } from './sysfs.js';
import { cpuFiles, makeTree, meminfoFixture, sysfsFixture } from './test-fixtures.js';

const KB = 1024;

describe('sysfs snapshots', () => {
  it('desktop: 1 socket, one node, 4 cores with threads N and N+4', async () => {
    const topo = await readSysfsTopology({ root: sysfsFixture('desktop-4c8t') });
    expect(topo).toEqual({
      sockets: 1,
      nodes: [
        {
          id: 0,
          cpus: [0, 1, 2, 3, 4, 5, 6, 7],
          memBytes: 32746280 * KB,
          cores: [0, 1, 2, 3].map((c) => ({ id: c, socket: 0, threads: [c, c + 4] })),
        },
      ],
    });
  });

  it('desktop without a node directory: one node 0 with /proc/meminfo, same topology', async () => {
    const withNodes = await readSysfsTopology({ root: sysfsFixture('desktop-4c8t') });
    const noNodes = await readSysfsTopology({
      root: sysfsFixture('desktop-4c8t-nonode'),
      meminfo: meminfoFixture('desktop-4c8t-nonode'),
    });
    expect(noNodes).toEqual(withNodes);
  });

  it('dual socket: 2 nodes of 8 cores, siblings N and N+16', async () => {
    const topo = await readSysfsTopology({ root: sysfsFixture('dual-2s2n-8c2t') });
    expect(topo.sockets).toBe(2);
    expect(topo.nodes.map((n) => n.id)).toEqual([0, 1]);
    const [n0, n1] = topo.nodes;
    expect(n0?.cpus).toEqual(parseCpuset('0-7,16-23'));
    expect(n1?.cpus).toEqual(parseCpuset('8-15,24-31'));
    expect(n0?.memBytes).toBe(131899372 * KB);
    expect(n1?.memBytes).toBe(132117564 * KB);
    expect(n0?.cores.map((c) => c.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(n1?.cores.map((c) => c.id)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(n1?.cores[2]).toEqual({ id: 10, socket: 1, threads: [10, 26] });
    expect(topo.nodes.flatMap((n) => n.cores).every((c) => c.threads.length === 2)).toBe(true);
  });

  it('quad socket: 4 nodes of 6 single-thread cores, node 2 interleaved', async () => {
    const topo = await readSysfsTopology({ root: sysfsFixture('quad-4s4n-6c') });
    expect(topo.sockets).toBe(4);
    expect(topo.nodes.map((n) => [n.id, n.cpus.length, n.cores.length])).toEqual([
      [0, 6, 6],
      [1, 6, 6],
      [2, 6, 6],
      [3, 6, 6],
    ]);
    const node2 = topo.nodes[2];
    expect(node2?.cpus).toEqual([12, 13, 14, 21, 22, 23]);
    expect(node2?.cores.map((c) => c.id)).toEqual([12, 13, 14, 21, 22, 23]);
    expect(node2?.cores.every((c) => c.socket === 2 && c.threads.length === 1)).toBe(true);
    expect(topo.nodes[3]?.cpus).toEqual([15, 16, 17, 18, 19, 20]);
    // Socket 1 numbers its cores 0,1,2,8,9,10 (a gap, as AMD parts do): ids stay first cpus.
    expect(topo.nodes[1]?.cores.map((c) => c.id)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(topo.nodes.map((n) => n.memBytes / KB)).toEqual([
      65960420, 66056676, 33022404, 66056676,
    ]);
  });
});

describe('sysfs edge cases', () => {
  const roots: string[] = [];
  afterEach(async () => {
    for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
  });
  async function tree(files: Record<string, string>): Promise<string> {
    const root = await makeTree(files);
    roots.push(root);
    return root;
  }
  const node0 = (cpus: string) => ({
    'devices/system/node/node0/cpulist': `${cpus}\n`,
    'devices/system/node/node0/meminfo': 'Node 0 MemTotal:  1048576 kB\nNode 0 MemFree: 1 kB\n',
  });

  it('falls back to core_cpus_list, then to package + core_id, then to the cpu alone', async () => {
    const root = await tree({
      'devices/system/cpu/online': '0-5\n',
      ...cpuFiles(0, 0, 0, '0,3', 'core_cpus_list'),
      ...cpuFiles(3, 0, 0, '0,3', 'core_cpus_list'),
      ...cpuFiles(1, 0, 1, null),
      ...cpuFiles(4, 0, 1, null),
      ...cpuFiles(5, 1, 1, null), // same core_id, other package: another core
      'devices/system/cpu/cpu2/topology/physical_package_id': '-1\n',
      ...node0('0-5'),
    });
    const topo = await readSysfsTopology({ root });
    expect(topo.nodes[0]?.cores).toEqual([
      { id: 0, socket: 0, threads: [0, 3] },
      { id: 1, socket: 0, threads: [1, 4] },
      { id: 2, socket: 0, threads: [2] },
      { id: 5, socket: 1, threads: [5] },
    ]);
    expect(topo.sockets).toBe(2);
  });

  it('leaves offline cpus out of cores and nodes', async () => {
    const root = await tree({
      'devices/system/cpu/online': '0-2\n',
      ...cpuFiles(0, 0, 0, '0,2'),
      ...cpuFiles(1, 0, 1, '1'), // its sibling 3 went offline
      ...cpuFiles(2, 0, 0, '0,2'),
      ...node0('0-3'),
    });
    const topo = await readSysfsTopology({ root });
    expect(topo.nodes[0]?.cpus).toEqual([0, 1, 2]);
    expect(topo.nodes[0]?.cores.map((c) => c.threads)).toEqual([[0, 2], [1]]);
  });

  it('keeps a memory-only node with no cores', async () => {
    const root = await tree({
      'devices/system/cpu/online': '0\n',
      ...cpuFiles(0, 0, 0, '0'),
      ...node0('0'),
      'devices/system/node/node1/cpulist': '\n',
      'devices/system/node/node1/meminfo': 'Node 1 MemTotal: 2097152 kB\n',
    });
    const topo = await readSysfsTopology({ root });
    expect(topo.nodes[1]).toEqual({ id: 1, cpus: [], memBytes: 2 * 1024 ** 3, cores: [] });
  });

  it('refuses a cpu claimed by two nodes, or in none, naming it', async () => {
    const base = {
      'devices/system/cpu/online': '0-1\n',
      ...cpuFiles(0, 0, 0, '0'),
      ...cpuFiles(1, 0, 1, '1'),
      ...node0('0-1'),
      'devices/system/node/node1/meminfo': 'Node 1 MemTotal: 1024 kB\n',
    };
    const twice = await tree({ ...base, 'devices/system/node/node1/cpulist': '1\n' });
    await expect(readSysfsTopology({ root: twice })).rejects.toThrow(
      /cpu 1 is in node 0 and node 1/,
    );
    const none = await tree({ ...base, ...node0('0'), 'devices/system/node/node1/cpulist': '\n' });
    await expect(readSysfsTopology({ root: none })).rejects.toThrow(/online cpu 1 is in no NUMA/);
  });

  it('names the missing or bad file', async () => {
    const root = await tree({ 'devices/system/cpu/online': '0\n', ...cpuFiles(0, 0, 0, '0') });
    const err = await readSysfsTopology({ root, meminfo: `${root}/nope` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GodError);
    expect((err as Error).message).toContain(`${root}/nope`);
    const garbled = await tree({
      'devices/system/cpu/online': '0\n',
      ...cpuFiles(0, 0, 0, 'zero'),
      ...node0('0'),
    });
    await expect(readSysfsTopology({ root: garbled })).rejects.toThrow(/thread_siblings_list/);
    const noMem = await tree({
      'devices/system/cpu/online': '0\n',
      ...cpuFiles(0, 0, 0, '0'),
      'devices/system/node/node0/cpulist': '0\n',
      'devices/system/node/node0/meminfo': 'Node 0 MemFree: 1 kB\n',
    });
    await expect(readSysfsTopology({ root: noMem })).rejects.toThrow(/no MemTotal in .*node0/);
  });
});

describe('this machine', () => {
  it('has at least one node and every online cpu in exactly one node and one core', async () => {
    const topo = await readSysfsTopology();
    const online = parseCpuset(await readFile('/sys/devices/system/cpu/online', 'utf8'));
    expect(topo.nodes.length).toBeGreaterThanOrEqual(1);
    expect(topo.sockets).toBeGreaterThanOrEqual(1);
    const inNodes = topo.nodes.flatMap((n) => n.cpus);
    expect([...inNodes].sort((a, b) => a - b)).toEqual(online);
    const inCores = topo.nodes.flatMap((n) => n.cores.flatMap((c) => c.threads));
    expect([...inCores].sort((a, b) => a - b)).toEqual(online);
    expect(topo.nodes.some((n) => n.cores.length > 0 && n.memBytes > 0)).toBe(true);
  });
});
