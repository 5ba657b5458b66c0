/** Named cases for each placement rule: one shard, exclusive cores, no overcommit, constraints. */
import type { Placement } from '@god/core';
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from './cluster.js';
import { makeHost, makeRequest, makeShard } from './test-builders.js';
import type { ConsiderResult, PlacementRequest } from './types.js';

const T0 = Date.UTC(2025, 0, 1);

function place(cluster: Cluster, req: PlacementRequest, now = T0): Placement {
  const r = cluster.beginPass(now).consider(req);
  if (!r.ok) throw new Error(`expected a placement: ${r.message}`);
  return r.placement;
}

function refuse(cluster: Cluster, req: PlacementRequest, now = T0) {
  const r: ConsiderResult = cluster.beginPass(now).consider(req);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.placement)}`);
  return r;
}

describe('single shard', () => {
  it('never splits a job across NUMA shards, even when the host has enough cores in total', () => {
    const cluster = createCluster([makeHost('h1')]); // 2 shards x 8 cores
    place(cluster, makeRequest({ cpu: 3 }));
    const other = place(cluster, makeRequest({ cpu: 8 }));
    expect(other.shard).toBe('numa1');
    // 5 cores free on numa0, 0 on numa1: a 6-core job must wait.
    const r = refuse(cluster, makeRequest({ cpu: 6 }));
    expect(r.code).toBe('RESOURCES');
    expect(r.never).toBeUndefined();
  });

  it('names the shard, its memory node, and cores from that shard only', () => {
    const cluster = createCluster([makeHost('h1')]);
    place(cluster, makeRequest({ cpu: 6 }));
    const p = place(cluster, makeRequest({ cpu: 4 }));
    expect(p).toMatchObject({ host: 'h1', shard: 'numa1', mems: '1', cpus: '8-11' });
  });
});

describe('exclusive cores', () => {
  it('gives every core to one job at a time', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8)]);
    const taken = Array.from({ length: 8 }, () => place(cluster, makeRequest()).cpus);
    expect(new Set(taken).size).toBe(8);
    expect(refuse(cluster, makeRequest()).code).toBe('RESOURCES');
  });

  it('takes the shortest run of free cores that is long enough', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8)]);
    const a = makeRequest({ cpu: 2 });
    place(cluster, a); // 0-1
    place(cluster, makeRequest({ cpu: 1 })); // 2
    place(cluster, makeRequest({ cpu: 3 })); // 3-5
    cluster.release(a.id); // free: 0-1 and 6-7
    place(cluster, makeRequest({ cpu: 1 })); // into the first 2-run: 0, leaving 1 alone
    expect(place(cluster, makeRequest({ cpu: 2 })).cpus).toBe('6-7');
  });
});

describe('no overcommit', () => {
  it('of RAM: a shard never gives more GB than it has', () => {
    const cluster = createCluster([makeHost('h1')]); // 64 GB per shard
    expect(place(cluster, makeRequest({ ramGB: 40 })).shard).toBe('numa0');
    expect(place(cluster, makeRequest({ ramGB: 30 })).shard).toBe('numa1');
    expect(place(cluster, makeRequest({ ramGB: 24 })).shard).toBe('numa0');
    expect(refuse(cluster, makeRequest({ ramGB: 35 })).code).toBe('RESOURCES');
    expect(place(cluster, makeRequest({ ramGB: 34 })).shard).toBe('numa1');
  });

  it('of GPUs: GPUs come from the job shard, each to one job', () => {
    const gpuShard = makeShard(1, 8, { gpus: [0, 1] });
    const cluster = createCluster([makeHost('h1', { shards: [makeShard(0, 8), gpuShard] })]);
    const a = place(cluster, makeRequest({ gpus: 1 }));
    const b = place(cluster, makeRequest({ gpus: 1 }));
    expect([a.shard, b.shard]).toEqual(['numa1', 'numa1']);
    expect([...a.gpus, ...b.gpus].sort()).toEqual([0, 1]);
    expect(refuse(cluster, makeRequest({ gpus: 1 })).code).toBe('RESOURCES');
    expect(refuse(cluster, makeRequest({ gpus: 3 })).never).toBe(true);
  });

  it('of host ports: distinct ports from the pool, per host', () => {
    const cluster = createCluster([
      makeHost('h1', { portRange: [10000, 10002] }),
      makeHost('h2', { portRange: [10000, 10000] }),
    ]);
    expect(place(cluster, makeRequest({ ports: [80, 443] }))).toMatchObject({
      host: 'h1',
      ports: [10000, 10001],
    });
    // h1 has one port left, h2 one: a 2-port job waits.
    expect(refuse(cluster, makeRequest({ ports: [80, 81] })).code).toBe('RESOURCES');
    const one = [
      place(cluster, makeRequest({ ports: [80] })),
      place(cluster, makeRequest({ ports: [80] })),
    ];
    expect(one.map((p) => `${p.host}:${p.ports.join()}`).sort()).toEqual(['h1:10002', 'h2:10000']);
    expect(refuse(cluster, makeRequest({ ports: [22] })).code).toBe('RESOURCES');
    expect(refuse(cluster, makeRequest({ ports: [1, 2, 3, 4] })).never).toBe(true);
  });
});

describe('constraints', () => {
  const hosts = [
    makeHost('a', { labels: { gpu: 'yes', zone: '1' } }),
    makeHost('b', { labels: { gpu: 'yes' } }),
    makeHost('c'),
  ];

  it('places only on hosts whose labels match every constraint', () => {
    const cluster = createCluster(hosts);
    for (let i = 0; i < 4; i++) {
      expect(place(cluster, makeRequest({ cpu: 4, label: ['gpu==yes', 'zone==1'] })).host).toBe(
        'a',
      );
    }
    const r = refuse(cluster, makeRequest({ cpu: 4, label: ['gpu==yes', 'zone==1'] }));
    expect(r.code).toBe('CONSTRAINT');
    expect(r.message).toMatch(/does not have label (gpu==yes|zone==1)/);
    expect(place(cluster, makeRequest({ label: ['gpu==yes'] })).host).toBe('b');
  });

  it('reports a constraint no host matches as never fitting', () => {
    const r = refuse(createCluster(hosts), makeRequest({ label: ['gpu==a100'] }));
    expect(r).toMatchObject({ code: 'CONSTRAINT', never: true });
    expect(r.message).toContain('gpu==a100');
  });
});

describe('reserved hosts', () => {
  const reserved = makeHost('r', { reservedFor: { users: ['bob'], projects: ['px'] } });

  it('run only the listed users and projects', () => {
    const cluster = createCluster([reserved]);
    expect(refuse(cluster, makeRequest({ user: 'alice' }))).toMatchObject({
      code: 'CONSTRAINT',
      never: true,
    });
    expect(place(cluster, makeRequest({ user: 'bob' })).host).toBe('r');
    expect(place(cluster, makeRequest({ user: 'carol', project: 'px' })).host).toBe('r');
  });

  it('leave their users free to use unreserved hosts too', () => {
    const cluster = createCluster([reserved, makeHost('s', {}, 1, 2)]);
    // The unreserved host is the better fit (fewer free cores).
    expect(place(cluster, makeRequest({ user: 'bob' })).host).toBe('s');
    expect(place(cluster, makeRequest({ user: 'alice' })).host).toBe('s');
    const r = refuse(cluster, makeRequest({ user: 'alice' }));
    expect(r.code).toBe('CONSTRAINT');
    expect(r.message).toContain('r is reserved');
  });
});

describe('group affinity', () => {
  it('puts a group on the host its running jobs are on', () => {
    const cluster = createCluster([makeHost('h1'), makeHost('h2', {}, 1, 6)]);
    const group = { name: 'g', policy: 'affinity' } as const;
    expect(place(cluster, makeRequest({ cpu: 8, group })).host).toBe('h1');
    expect(place(cluster, makeRequest({ cpu: 2 })).host).toBe('h2'); // best fit: 4 left
    // h2 is the better fit for a 2-core job, but the group is on h1.
    expect(place(cluster, makeRequest({ cpu: 2, group }))).toMatchObject({
      host: 'h1',
      shard: 'numa1',
    });
    expect(refuse(cluster, makeRequest({ cpu: 8, group })).code).toBe('RESOURCES');
    // Another user's group of the same name is another group: free to take the best fit.
    expect(place(cluster, makeRequest({ user: 'bob', cpu: 4, group })).host).toBe('h2');
  });

  it('lets the group go anywhere once its jobs have ended', () => {
    const cluster = createCluster([makeHost('h1'), makeHost('h2', {}, 1, 4)]);
    const group = { name: 'g', policy: 'affinity' } as const;
    const first = makeRequest({ cpu: 2, group });
    expect(place(cluster, first).host).toBe('h2');
    place(cluster, makeRequest({ cpu: 2 })); // h2 full
    const waiting = refuse(cluster, makeRequest({ cpu: 2, group }));
    expect(waiting.code).toBe('CONSTRAINT');
    expect(waiting.message).toContain('group g runs on h2');
    cluster.release(first.id);
    cluster.release(first.id); // a second release is harmless
    place(cluster, makeRequest({ cpu: 2 })); // h2 full again, group gone
    expect(place(cluster, makeRequest({ cpu: 2, group })).host).toBe('h1');
  });
});

describe('group anti-affinity', () => {
  it('never puts two running jobs of the group on one host', () => {
    const cluster = createCluster([makeHost('h1'), makeHost('h2')]);
    const group = { name: 'replicas', policy: 'anti-affinity' } as const;
    const a = makeRequest({ group });
    const hostA = place(cluster, a).host;
    const hostB = place(cluster, makeRequest({ group })).host;
    expect(hostA).not.toBe(hostB);
    const r = refuse(cluster, makeRequest({ group }));
    expect(r.code).toBe('CONSTRAINT');
    expect(r.message).toContain('already runs on');
    cluster.release(a.id);
    expect(place(cluster, makeRequest({ group })).host).toBe(hostA);
  });
});
