/** EASY backfill: the head job's reservation, backfilling, holding back, and never-fitting jobs. */
import type { Placement } from '@god/core';
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from './cluster.js';
import { formatCpuset } from './cpuset.js';
import { makeHost, makeRequest, makeShard, range } from './test-builders.js';
import type { PlacementRequest } from './types.js';

const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;

/** Restores a running job of `cpu` cores (from `first`) on host/numa0 for `hours`, from `start`. */
function running(
  cluster: Cluster,
  host: string,
  cpu: number,
  hours: number,
  start = T0,
  first = 0,
) {
  const req = makeRequest({ cpu, maxlifespan: hours * 3600 });
  const placement: Placement = {
    host,
    shard: 'numa0',
    cpus: formatCpuset(range(first, cpu)),
    mems: '0',
    gpus: [],
    ports: [],
  };
  expect(cluster.restore(req, placement, start)).toMatchObject({ ok: true });
  return req;
}

const job = (cpu: number, minutes: number): PlacementRequest =>
  makeRequest({ cpu, maxlifespan: minutes * 60 });

describe('EASY backfill', () => {
  it('reserves for the head, backfills short jobs, holds back long ones, then runs the head', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8), makeHost('h2', {}, 1, 8)]);
    const a = running(cluster, 'h1', 6, 1); // h1: 2 cores free until T0+1h
    running(cluster, 'h2', 7, 3); // h2: 1 core free until T0+3h
    const pass = cluster.beginPass(T0 + 10 * MIN);
    const head = job(8, 60);
    const r = pass.consider(head);
    expect(r).toMatchObject({ ok: false, code: 'RESOURCES' });
    expect(!r.ok && r.message).toContain('reserved h1/numa0 from 2025-01-01T01:00:00.000Z');
    expect(pass.reservation()).toEqual({
      jobId: head.id,
      host: 'h1',
      shard: 'numa0',
      startAt: T0 + HOUR,
    });

    // A long job on resources the reservation does not need (h2) is fine.
    expect(pass.consider(job(1, 120))).toMatchObject({ ok: true, placement: { host: 'h2' } });
    // A short job ends before T0+1h: it may use the reserved shard.
    const short = job(1, 30);
    expect(pass.consider(short)).toMatchObject({ ok: true, placement: { host: 'h1' } });
    // A long job would still hold a core of the reserved shard at T0+1h: held back.
    const long = pass.consider(job(1, 120));
    expect(long).toMatchObject({ ok: false, code: 'PRIORITY' });
    expect(!long.ok && long.message).toContain(`held back for job ${head.id}`);
    // No max lifespan means the default (7 days): long too.
    expect(pass.consider(job(1, 0))).toMatchObject({ ok: false, code: 'PRIORITY' });

    // At T0+1h the running job and the short one have ended: the head runs.
    cluster.release(a.id);
    cluster.release(short.id);
    const later = cluster.beginPass(T0 + HOUR).consider(head);
    expect(later).toMatchObject({ ok: true, placement: { host: 'h1', cpus: '0-7' } });
  });

  it('lets long jobs use what will be left over on the reserved shard', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8)]);
    running(cluster, 'h1', 4, 1); // 4 free now, 8 at T0+1h
    const pass = cluster.beginPass(T0);
    expect(pass.consider(job(6, 60))).toMatchObject({ ok: false, code: 'RESOURCES' });
    // At T0+1h the head takes 6 of 8: 2 cores are extra.
    expect(pass.consider(job(2, 600))).toMatchObject({ ok: true });
    expect(pass.consider(job(1, 600))).toMatchObject({ ok: false, code: 'PRIORITY' });
    expect(pass.consider(job(1, 30))).toMatchObject({ ok: true });
  });

  it('reports a job larger than any shard as never fitting; it takes no reservation', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8)]);
    running(cluster, 'h1', 8, 1);
    const pass = cluster.beginPass(T0);
    const huge = pass.consider(job(16, 60));
    expect(huge).toMatchObject({ ok: false, code: 'RESOURCES', never: true });
    expect(!huge.ok && huge.message).toContain('needs 16 cores');
    expect(pass.reservation()).toBeNull();
    const big = job(8, 60);
    pass.consider(big);
    expect(pass.reservation()).toMatchObject({ jobId: big.id, startAt: T0 + HOUR });
  });

  it('does not let a stream of small long jobs starve the head', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8)]);
    // Eight 1-core jobs of 1h, started 7 min apart: they end from T0+11min to T0+1h.
    for (let k = 0; k < 8; k++) running(cluster, 'h1', 1, 1, T0 - 7 * k * MIN, k);
    const ends = new Map(
      [...cluster.placements().keys()].map((id, k) => [id, T0 + (60 - 7 * k) * MIN]),
    );
    const head = job(8, 60);
    let placedAt: number | null = null;
    for (let now = T0; placedAt === null && now <= T0 + 3 * HOUR; now += 5 * MIN) {
      for (const [id, end] of ends) if (end <= now && cluster.release(id) !== null) ends.delete(id);
      const pass = cluster.beginPass(now);
      if (pass.consider(head).ok) placedAt = now;
      expect(pass.reservation()?.startAt ?? now).toBeLessThanOrEqual(T0 + HOUR);
      for (let i = 0; i < 2; i++) {
        const small = job(1, 120);
        const r = pass.consider(small);
        if (r.ok) ends.set(small.id, now + 120 * MIN);
      }
    }
    expect(placedAt).toBe(T0 + HOUR);
  });

  it('moves the reservation when its host leaves during the pass', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8), makeHost('h2', {}, 1, 8)]);
    running(cluster, 'h1', 8, 1);
    running(cluster, 'h2', 8, 2);
    const pass = cluster.beginPass(T0);
    pass.consider(job(8, 60));
    expect(pass.reservation()).toMatchObject({ host: 'h1', startAt: T0 + HOUR });
    cluster.updateHosts([makeHost('h2', {}, 1, 8)]);
    expect(pass.reservation()).toMatchObject({ host: 'h2', startAt: T0 + 2 * HOUR });
  });

  it('counts RAM in what the reservation leaves over', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8)]); // 64 GB
    const a = makeRequest({ cpu: 1, ramGB: 60, maxlifespan: 3600 });
    const placed = { host: 'h1', shard: 'numa0', cpus: '0', mems: '0', gpus: [], ports: [] };
    expect(cluster.restore(a, placed, T0)).toMatchObject({ ok: true });
    const pass = cluster.beginPass(T0);
    // 4 GB free now; at T0+1h it takes 62 of the 64 GB: 2 GB to spare.
    expect(pass.consider(makeRequest({ ramGB: 62 }))).toMatchObject({ code: 'RESOURCES' });
    expect(pass.consider(makeRequest({ ramGB: 2, maxlifespan: 7200 }))).toMatchObject({ ok: true });
    const r = pass.consider(makeRequest({ ramGB: 1, maxlifespan: 7200 }));
    expect(r).toMatchObject({ ok: false, code: 'PRIORITY' });
  });

  it('counts GPUs in what the reservation leaves over', () => {
    const shards = [makeShard(0, 8, { gpus: [0, 1, 2, 3] })];
    const cluster = createCluster([makeHost('h1', { shards })]);
    const a = makeRequest({ cpu: 1, ramGB: 60, gpus: 1, maxlifespan: 3600 });
    const placed = { host: 'h1', shard: 'numa0', cpus: '0', mems: '0', gpus: [0], ports: [] };
    expect(cluster.restore(a, placed, T0)).toMatchObject({ ok: true });
    const pass = cluster.beginPass(T0);
    // Short of RAM now; at T0+1h it takes 2 of the 4 GPUs: 2 GPUs to spare.
    expect(pass.consider(makeRequest({ ramGB: 8, gpus: 2 }))).toMatchObject({ code: 'RESOURCES' });
    const gpuJob = () => makeRequest({ ramGB: 0.5, gpus: 1, maxlifespan: 7200 });
    expect(pass.consider(gpuJob())).toMatchObject({ ok: true });
    expect(pass.consider(gpuJob())).toMatchObject({ ok: true });
    expect(pass.consider(gpuJob())).toMatchObject({ ok: false, code: 'PRIORITY' });
  });

  it('counts host ports in what the reservation leaves over', () => {
    const cluster = createCluster([makeHost('h1', { portRange: [9000, 9003] })]);
    const a = makeRequest({ ports: [80, 81], maxlifespan: 3600 });
    const placed = {
      host: 'h1',
      shard: 'numa0',
      cpus: '0',
      mems: '0',
      gpus: [],
      ports: [9000, 9001],
    };
    expect(cluster.restore(a, placed, T0)).toMatchObject({ ok: true });
    const pass = cluster.beginPass(T0);
    // Needs 3 of the 4 ports, free from T0+1h: 1 port to spare for long jobs.
    const head = makeRequest({ ports: [80, 81, 82], maxlifespan: 3600 });
    expect(pass.consider(head)).toMatchObject({ ok: false, code: 'RESOURCES' });
    const portJob = () => makeRequest({ ports: [80], maxlifespan: 7200 });
    expect(pass.consider(portJob())).toMatchObject({ ok: true, placement: { ports: [9002] } });
    expect(pass.consider(portJob())).toMatchObject({ ok: false, code: 'PRIORITY' });
    expect(pass.consider(makeRequest({ ports: [80], maxlifespan: 1800 }))).toMatchObject({
      ok: true,
    });
  });

  it('drops the reservation once the head is placed in the same pass', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8)]);
    const a = running(cluster, 'h1', 8, 1);
    const pass = cluster.beginPass(T0);
    const head = job(8, 60);
    expect(pass.consider(head).ok).toBe(false);
    cluster.release(a.id); // ended early, during the pass
    expect(pass.consider(head).ok).toBe(true);
    expect(pass.reservation()).toBeNull();
  });

  it('times group rules: an anti-affinity head waits for its group to leave a host', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 8), makeHost('h2', {}, 1, 8)]);
    const group = { name: 'g', policy: 'anti-affinity' } as const;
    const mate = makeRequest({ cpu: 1, group, maxlifespan: 3 * 3600 });
    const p = { host: 'h1', shard: 'numa0', cpus: '0', mems: '0', gpus: [], ports: [] };
    expect(cluster.restore(mate, p, T0)).toMatchObject({ ok: true });
    running(cluster, 'h2', 8, 2); // h2 busy until T0+2h
    const pass = cluster.beginPass(T0);
    // h1 has 7 free cores but runs the group until T0+3h; h2 frees up at T0+2h.
    const head = makeRequest({ cpu: 4, group });
    expect(pass.consider(head)).toMatchObject({ ok: false, code: 'CONSTRAINT' });
    expect(pass.reservation()).toMatchObject({ host: 'h2', startAt: T0 + 2 * HOUR });
  });

  it('times group rules: an affinity head may leave its group host once the group ended', () => {
    const cluster = createCluster([makeHost('h1', {}, 1, 2), makeHost('h2', {}, 1, 8)]);
    const group = { name: 'g', policy: 'affinity' } as const;
    const mate = makeRequest({ cpu: 2, group, maxlifespan: 3600 });
    const p = { host: 'h1', shard: 'numa0', cpus: '0-1', mems: '0', gpus: [], ports: [] };
    expect(cluster.restore(mate, p, T0)).toMatchObject({ ok: true });
    running(cluster, 'h2', 8, 0.5); // h2 busy until T0+30min
    const pass = cluster.beginPass(T0);
    // h1 is too small for 4 cores; h2 is free from T0+30min but allowed once the group ended.
    const r = pass.consider(makeRequest({ cpu: 4, group }));
    expect(r).toMatchObject({ ok: false, code: 'RESOURCES' });
    expect(pass.reservation()).toMatchObject({ host: 'h2', startAt: T0 + HOUR });
  });
});
