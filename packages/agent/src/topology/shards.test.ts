import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '@god/core';
import { parseCpuset } from './cpuset.js';
import type { Topology } from './model.js';
import { cpusetFor, shardsFor, type TopologySettingsInput } from './shards.js';
import { readSysfsTopology } from './sysfs.js';
import { sysfsFixture } from './test-fixtures.js';

let desktop: Topology;
let dual: Topology;
let quad: Topology;

beforeAll(async () => {
  desktop = await readSysfsTopology({ root: sysfsFixture('desktop-4c8t') });
  dual = await readSysfsTopology({ root: sysfsFixture('dual-2s2n-8c2t') });
  quad = await readSysfsTopology({ root: sysfsFixture('quad-4s4n-6c') });
});

/** The field paths of the ValidationError thrown by `shardsFor`, sorted. */
function issuePaths(topology: Topology, settings: TopologySettingsInput): string[] {
  try {
    shardsFor(topology, settings);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('INVALID_CONFIG');
    return (err as ValidationError).issues.map((i) => i.path).sort();
  }
  throw new Error('shardsFor accepted the settings');
}

function issueMessage(topology: Topology, settings: TopologySettingsInput): string {
  try {
    shardsFor(topology, settings);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('shardsFor accepted the settings');
}

describe('default shards: one per NUMA node', () => {
  it('desktop: one shard of 4 cores and its memory', () => {
    expect(shardsFor(desktop)).toEqual([
      { id: 'numa0', mems: '0', cores: [0, 1, 2, 3], ramGB: 31.2, gpus: [] },
    ]);
  });

  it('dual socket: two shards of 8 cores (first threads only)', () => {
    expect(shardsFor(dual)).toEqual([
      { id: 'numa0', mems: '0', cores: [0, 1, 2, 3, 4, 5, 6, 7], ramGB: 125.7, gpus: [] },
      { id: 'numa1', mems: '1', cores: [8, 9, 10, 11, 12, 13, 14, 15], ramGB: 125.9, gpus: [] },
    ]);
  });

  it('quad socket: four shards, the interleaved node keeps its own cores', () => {
    const shards = shardsFor(quad);
    expect(shards.map((s) => [s.id, s.mems, s.cores.join(), s.ramGB])).toEqual([
      ['numa0', '0', '0,1,2,3,4,5', 62.9],
      ['numa1', '1', '6,7,8,9,10,11', 62.9],
      ['numa2', '2', '12,13,14,21,22,23', 31.4],
      ['numa3', '3', '15,16,17,18,19,20', 62.9],
    ]);
  });

  it('takes reserve_ram_gb from the nodes in proportion to their memory, floored to 0.1 GB', () => {
    expect(shardsFor(desktop, { reserve_ram_gb: 2 })[0]?.ramGB).toBe(29.2);
    expect(shardsFor(dual, { reserve_ram_gb: 16 }).map((s) => s.ramGB)).toEqual([117.7, 117.9]);
    // Node 2 has half the memory of the others, so it gives up half as much.
    expect(shardsFor(quad, { reserve_ram_gb: 14 }).map((s) => s.ramGB)).toEqual([
      58.9, 58.9, 29.4, 58.9,
    ]);
  });

  it('takes reserve_cores from the lowest cores of the first node only', () => {
    const shards = shardsFor(dual, { reserve_cores: 2 });
    expect(shards[0]?.cores).toEqual([2, 3, 4, 5, 6, 7]);
    expect(shards[1]?.cores).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(shardsFor(desktop, { reserve_cores: 3 })[0]?.cores).toEqual([3]);
  });

  it('refuses reserves that leave nothing for jobs', () => {
    expect(issuePaths(desktop, { reserve_cores: 4 })).toEqual(['reserve_cores']);
    expect(issuePaths(desktop, { reserve_ram_gb: 64 })).toEqual(['reserve_ram_gb']);
    expect(issueMessage(desktop, { reserve_ram_gb: 64 })).toContain('31.2 GB');
  });

  it('gives no shard to a memory-only node', () => {
    const topo: Topology = {
      sockets: 1,
      nodes: [
        { id: 0, cpus: [0], memBytes: 4 * 1024 ** 3, cores: [{ id: 0, socket: 0, threads: [0] }] },
        { id: 1, cpus: [], memBytes: 64 * 1024 ** 3, cores: [] },
      ],
    };
    expect(shardsFor(topo, { reserve_ram_gb: 1 })).toEqual([
      { id: 'numa0', mems: '0', cores: [0], ramGB: 3, gpus: [] },
    ]);
  });
});

describe('GPUs', () => {
  it('attach to the shard of their NUMA node, sorted', () => {
    const gpus = [
      { index: 2, numa_node: 1 },
      { index: 1, numa_node: 0 },
      { index: 0, numa_node: 1 },
    ];
    expect(shardsFor(dual, { gpus }).map((s) => s.gpus)).toEqual([[1], [0, 2]]);
  });

  it('go to the named shard, else the first, when a node has several', () => {
    const shards = shardsFor(dual, {
      shards: [
        { id: 'a', cores: '0-3' },
        { id: 'b', cores: '4-7' },
      ],
      gpus: [
        { index: 0, numa_node: 0, shard: 'b' },
        { index: 1, numa_node: 0 },
      ],
    });
    expect(shards.map((s) => [s.id, s.gpus])).toEqual([
      ['a', [1]],
      ['b', [0]],
    ]);
  });

  it('are refused on a node without a shard, twice, or on a shard of another node', () => {
    const settings: TopologySettingsInput = {
      gpus: [
        { index: 0, numa_node: 5 },
        { index: 1, numa_node: 0 },
        { index: 1, numa_node: 1 },
        { index: 3, numa_node: 0, shard: 'numa1' },
      ],
    };
    expect(issuePaths(dual, settings)).toEqual([
      'gpus[0].numa_node',
      'gpus[2].index',
      'gpus[3].shard',
    ]);
    expect(issueMessage(dual, settings)).toContain(
      'no shard on NUMA node 5 (shards are on nodes 0, 1)',
    );
  });
});

describe('configured core groups', () => {
  it('replace the per-node shards, sharing the node memory by cores', () => {
    const shards = shardsFor(dual, {
      shards: [
        { id: 'small', cores: '0-1' },
        { id: 'big', cores: '2-7' },
        { id: 'other-socket', cores: '8-15,24-31' },
      ],
    });
    expect(shards).toEqual([
      { id: 'small', mems: '0', cores: [0, 1], ramGB: 31.4, gpus: [] },
      { id: 'big', mems: '0', cores: [2, 3, 4, 5, 6, 7], ramGB: 94.3, gpus: [] },
      {
        id: 'other-socket',
        mems: '1',
        cores: [8, 9, 10, 11, 12, 13, 14, 15],
        ramGB: 125.9,
        gpus: [],
      },
    ]);
  });

  it('take a whole core for any of its threads listed', () => {
    const shards = shardsFor(dual, {
      shards: [
        { id: 'ht', cores: '16-17' },
        { id: 'one', cores: 9 },
      ],
    });
    expect(shards.map((s) => s.cores)).toEqual([[0, 1], [9]]);
  });

  it('are refused across NUMA nodes, naming shards[i].cores and the cpus of each node', () => {
    const settings = {
      shards: [
        { id: 'ok', cores: '0-3' },
        { id: 'wide', cores: '6-9' },
      ],
    };
    expect(issuePaths(dual, settings)).toEqual(['shards[1].cores']);
    expect(issueMessage(dual, settings)).toContain(
      'shards[1].cores: spans NUMA nodes 0 (cpus 6-7) and 1 (cpus 8-9)',
    );
    // The interleaved node: 12-14 and 21-23 are one node, 15-20 another.
    expect(shardsFor(quad, { shards: [{ id: 'n2', cores: '12-14,21-23' }] })[0]).toMatchObject({
      mems: '2',
      cores: [12, 13, 14, 21, 22, 23],
    });
    expect(issueMessage(quad, { shards: [{ id: 'n', cores: '13-16' }] })).toContain(
      'spans NUMA nodes 2 (cpus 13-14) and 3 (cpus 15-16)',
    );
  });

  it('report every problem at once', () => {
    const paths = issuePaths(dual, {
      reserve_cores: 1,
      shards: [
        { id: 'a', cores: '0-3' },
        { id: 'a', cores: '19-20' }, // duplicate id; cpu 19 is core 3, already in shards[0]
        { id: 'c', cores: '40-41' },
        { id: 'd', cores: '3-x' },
      ],
    });
    expect(paths).toEqual([
      'reserve_cores',
      'shards[1].cores',
      'shards[1].id',
      'shards[2].cores',
      'shards[3].cores',
    ]);
    expect(issuePaths(dual, { shards: [{ id: 'e.1', cores: '5' }] })).toEqual(['shards[0].id']);
    expect(issueMessage(dual, { shards: [{ id: 'c', cores: '40-41' }] })).toContain(
      'cpus 40-41 are not online cpus of this host',
    );
  });

  it('reject unknown settings by name', () => {
    expect(issuePaths(dual, { reserve_gb: 1 } as TopologySettingsInput)).toEqual(['reserve_gb']);
  });
});

describe('cpusetFor', () => {
  it('adds every hyperthread of the placed cores', () => {
    expect(cpusetFor(dual, [0, 9])).toBe('0,9,16,25');
    expect(cpusetFor(dual, '0-3')).toBe('0-3,16-19');
    expect(cpusetFor(desktop, [0, 1, 2, 3])).toBe('0-7');
    expect(cpusetFor(quad, '21,12')).toBe('12,21');
  });

  it('refuses an id that is not a core (a second thread)', () => {
    expect(() => cpusetFor(dual, [16])).toThrow(/core 16 is not a core of this host/);
  });

  it('covers exactly the online cpus left to jobs when given every shard core', () => {
    for (const topo of [desktop, dual, quad]) {
      const all = topo.nodes.flatMap((n) => n.cpus).sort((a, b) => a - b);
      const cores = shardsFor(topo).flatMap((s) => s.cores);
      expect(parseCpuset(cpusetFor(topo, cores))).toEqual(all);
    }
    const reserved = shardsFor(dual, { reserve_cores: 1 }).flatMap((s) => s.cores);
    expect(cpusetFor(dual, reserved)).toBe('1-15,17-31');
  });
});
