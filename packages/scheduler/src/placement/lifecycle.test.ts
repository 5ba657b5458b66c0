/** Named cases for the best-fit choice, release, restore and host changes. */
import { GodError, type Placement } from '@god/core';
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from './cluster.js';
import { makeHost, makeRequest, makeShard, range } from './test-builders.js';
import type { PlacementRequest } from './types.js';

const T0 = Date.UTC(2025, 0, 1);

function place(cluster: Cluster, req: PlacementRequest): Placement {
  const r = cluster.beginPass(T0).consider(req);
  if (!r.ok) throw new Error(`expected a placement: ${r.message}`);
  return r.placement;
}

const at = (p: Placement) => `${p.host}/${p.shard}`;

describe('best-fit choice', () => {
  it('takes the shard left with the fewest free cores', () => {
    const shards = [
      makeShard(0, 8),
      makeShard(1, 5, { cores: range(10, 5) }),
      makeShard(2, 3, { cores: range(20, 3) }),
    ];
    const cluster = createCluster([makeHost('h1', { shards })]);
    expect(at(place(cluster, makeRequest({ cpu: 3 })))).toBe('h1/numa2');
    expect(at(place(cluster, makeRequest({ cpu: 4 })))).toBe('h1/numa1');
    expect(at(place(cluster, makeRequest({ cpu: 1 })))).toBe('h1/numa1');
    expect(at(place(cluster, makeRequest({ cpu: 1 })))).toBe('h1/numa0');
  });

  it('breaks ties on free RAM, then on host name', () => {
    const small = makeHost('b', { shards: [makeShard(0, 4, { ramGB: 16 })] });
    const big = makeHost('a', { shards: [makeShard(0, 4, { ramGB: 32 })] });
    const twin = makeHost('c', { shards: [makeShard(0, 4, { ramGB: 16 })] });
    const cluster = createCluster([big, small, twin]);
    expect(place(cluster, makeRequest({ cpu: 4, ramGB: 8 })).host).toBe('b');
    expect(place(cluster, makeRequest({ cpu: 4, ramGB: 8 })).host).toBe('c');
    expect(place(cluster, makeRequest({ cpu: 4, ramGB: 8 })).host).toBe('a');
  });

  it('keeps GPU shards for GPU jobs', () => {
    const gpu = makeHost('a-gpu', { shards: [makeShard(0, 4, { gpus: [0] })] });
    const cpu = makeHost('b-cpu', {}, 1, 16);
    const cluster = createCluster([gpu, cpu]);
    // Fewer free cores on the GPU host, yet a CPU-only job goes to the CPU host.
    expect(place(cluster, makeRequest({ cpu: 2 })).host).toBe('b-cpu');
    expect(place(cluster, makeRequest({ cpu: 2, gpus: 1 })).host).toBe('a-gpu');
  });
});

describe('release and reuse', () => {
  it('gives back exactly what was taken, and the same resources serve the next job', () => {
    const cluster = createCluster([makeHost('h1', { portRange: [9000, 9001] }, 1, 4)]);
    const before = cluster.free();
    const job = makeRequest({ cpu: 4, ramGB: 64, ports: [80, 81] });
    const p = place(cluster, job);
    expect(cluster.free().cores.free).toBe(0);
    expect(cluster.beginPass(T0).consider(makeRequest()).ok).toBe(false);
    expect(cluster.release(job.id)).toEqual(p);
    expect(cluster.free()).toEqual(before);
    expect(place(cluster, makeRequest({ cpu: 4, ramGB: 64, ports: [80, 81] }))).toEqual(p);
    expect(cluster.release(12345)).toBeNull();
  });

  it('refuses to place a job twice', () => {
    const cluster = createCluster([makeHost('h1')]);
    const job = makeRequest();
    place(cluster, job);
    expect(() => cluster.beginPass(T0).consider(job)).toThrow(GodError);
  });
});

describe('restore', () => {
  const placement: Placement = {
    host: 'h1',
    shard: 'numa0',
    cpus: '0-3',
    mems: '0',
    gpus: [],
    ports: [],
  };

  it('rebuilds the allocations of placed jobs so new jobs avoid them', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8)]);
    expect(cluster.restore(makeRequest({ cpu: 4 }), placement, T0)).toEqual({
      ok: true,
      stranded: false,
    });
    expect(place(cluster, makeRequest({ cpu: 4 })).cpus).toBe('4-7');
    expect(cluster.free().cores.free).toBe(0);
  });

  it('refuses an allocation that overlaps another one', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8)]);
    cluster.restore(makeRequest({ cpu: 4 }), placement, T0);
    const r = cluster.restore(makeRequest({ cpu: 2 }), { ...placement, cpus: '3-4' }, T0);
    expect(r).toEqual({ ok: false, message: 'core 3 is not a free core of h1/numa0' });
    expect(cluster.free().cores.free).toBe(4);
  });

  it('keeps a job of an unknown host stranded until the host joins', () => {
    const cluster = createCluster([]);
    const job = makeRequest({ cpu: 4 });
    expect(cluster.restore(job, placement, T0)).toEqual({ ok: true, stranded: true });
    expect(cluster.stranded()).toMatchObject([{ jobId: job.id, reason: 'host h1 is not known' }]);
    cluster.updateHosts([makeHost('h1', {}, 1, 8)]);
    expect(cluster.stranded()).toEqual([]);
    expect(cluster.placements().get(job.id)).toEqual(placement);
    expect(cluster.free().cores.free).toBe(4);
  });
});

describe('host changes', () => {
  it('reports the jobs of a host that left, and holds them again when it returns', () => {
    const cluster = createCluster([makeHost('h1'), makeHost('h2')]);
    const job = makeRequest({ cpu: 8 });
    const p = place(cluster, job);
    cluster.updateHosts([makeHost('h2')]);
    expect(cluster.stranded()).toEqual([{ jobId: job.id, placement: p, reason: 'host h1 left' }]);
    expect(cluster.free().cores).toEqual({ total: 16, free: 16 });
    cluster.updateHosts([makeHost('h1'), makeHost('h2')]);
    expect(cluster.stranded()).toEqual([]);
    expect(cluster.free().cores).toEqual({ total: 32, free: 24 });
  });

  it('strands a job whose cores a reshaped host no longer has', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8)]);
    const job = makeRequest({ cpu: 8 });
    place(cluster, job);
    cluster.updateHosts([makeHost('h1', {}, 1, 4)]);
    const [stranded] = cluster.stranded();
    expect(stranded?.jobId).toBe(job.id);
    expect(stranded?.reason).toBe('core 4 is not a free core of h1/numa0');
    expect(cluster.release(job.id)).not.toBeNull();
    expect(cluster.stranded()).toEqual([]);
  });

  it('leaves out hosts whose description is inconsistent', () => {
    const twice = makeHost('bad', { shards: [makeShard(0, 4), makeShard(0, 4)] });
    const cluster = createCluster([makeHost('ok'), twice, makeHost('ok')]);
    expect(cluster.hostProblems()).toEqual([
      { host: 'bad', message: 'shard numa0 is listed twice' },
      { host: 'ok', message: 'is listed twice' },
    ]);
    expect(cluster.free().hosts.map((h) => h.name)).toEqual(['ok']);
  });
});

describe('requests that can never run', () => {
  it('reports a job larger than every shard as never fitting, with the largest shard', () => {
    const cluster = createCluster([makeHost('h1')]);
    const r = cluster.beginPass(T0).consider(makeRequest({ cpu: 12 }));
    expect(r).toMatchObject({ ok: false, code: 'RESOURCES', never: true });
    expect(!r.ok && r.message).toContain('the largest is h1/numa0 (8 cores');
  });

  it('does not judge jobs while no host is registered', () => {
    const r = createCluster([])
      .beginPass(T0)
      .consider(makeRequest({ cpu: 64 }));
    expect(r).toEqual({ ok: false, code: 'RESOURCES', message: 'no hosts are registered' });
  });

  it('reports nonsense requests as never fitting', () => {
    const cluster = createCluster([makeHost('h1')]);
    for (const bad of [{ cpu: 0 }, { cpu: 1.5 }, { ram: 0 }, { gpus: -1 }, { label: ['x=y'] }]) {
      expect(cluster.beginPass(T0).consider(makeRequest(bad))).toMatchObject({ never: true });
    }
  });
});
