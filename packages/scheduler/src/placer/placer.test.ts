import { describe, expect, it } from 'vitest';
import { createCluster } from '../placement/index.js';
import { makeHost } from '../placement/test-builders.js';
import type { SchedJob } from '../sched-job.js';
import {
  createDelegatedPlacer,
  createNumaPlacer,
  DELEGATED_SHARD,
  roomOf,
  routePlacer,
} from './index.js';

const GB = 2 ** 30;

function job(id: number, over: Partial<SchedJob> = {}): SchedJob {
  return {
    id,
    user: 'alice',
    project: 'default',
    submitted: id,
    cpu: 1,
    ram: GB,
    gpus: 0,
    ports: [],
    label: [],
    group: null,
    maxlifespan: 0,
    deps: [],
    parent: null,
    executor: null,
    whyCode: '',
    ...over,
  };
}

describe('placement seam', () => {
  it('routes a job to its executor’s delegated placer, else (default executor too) to NUMA', () => {
    const numa = createNumaPlacer(createCluster([makeHost('h1')]).beginPass(0));
    const swarm = createDelegatedPlacer('swarm', { cpu: 4, ram: 8 * GB, gpus: 0, jobs: 10 });
    const delegated = new Map([['swarm', swarm]]);
    expect(routePlacer(job(1, { executor: 'swarm' }), numa, delegated, 'docker')).toBe(swarm);
    expect(routePlacer(job(2), numa, delegated, 'docker')).toBe(numa);
    expect(routePlacer(job(3), numa, delegated, 'swarm')).toBe(swarm);
    expect(routePlacer(job(4, { executor: 'docker' }), numa, delegated, 'swarm')).toBe(numa);
  });

  it('the NUMA placer chooses host, shard and cores as the cluster does', () => {
    const numa = createNumaPlacer(createCluster([makeHost('h1', {}, 1, 4)]).beginPass(0));
    const r = numa.place(job(1, { cpu: 2 }));
    expect(r).toMatchObject({ ok: true, placement: { host: 'h1', shard: 'numa0', cpus: '0-1' } });
    expect(numa.place(job(2, { cpu: 4 }))).toMatchObject({ ok: false, code: 'RESOURCES' });
  });

  it('the delegated placer chooses no cores and admits only what the reported capacity holds', () => {
    const p = createDelegatedPlacer('swarm', { cpu: 3, ram: 4 * GB, gpus: 0, jobs: 2 });
    expect(p.place(job(1, { cpu: 2 }))).toEqual({
      ok: true,
      placement: { host: 'swarm', shard: DELEGATED_SHARD, cpus: '', mems: '', gpus: [], ports: [] },
    });
    expect(p.place(job(2, { cpu: 2 }))).toEqual({
      ok: false,
      code: 'RESOURCES',
      message: 'executor swarm reports 1 cores free, the job asks 2',
    });
    expect(p.place(job(3, { cpu: 1, ram: 8 * GB }))).toMatchObject({
      message: 'executor swarm reports 3 GB RAM free, the job asks 8',
    });
    expect(p.place(job(4, { cpu: 1 }))).toMatchObject({ ok: true });
    expect(p.place(job(5, { cpu: 0 }))).toMatchObject({
      ok: false,
      message: 'executor swarm reports no room for more jobs',
    });
  });

  it('admits nothing while the executor is not answering, and says so', () => {
    const p = createDelegatedPlacer('swarm', null);
    expect(p.place(job(1))).toEqual({
      ok: false,
      code: 'RESOURCES',
      message: 'executor swarm is not answering (no recent heartbeat)',
    });
  });

  it('a job larger than the whole declared capacity can never run there, and says what it lacks', () => {
    const whole = { cpu: 4, ram: 8 * GB, gpus: 1, jobs: Number.MAX_SAFE_INTEGER };
    const p = createDelegatedPlacer('swarm', { ...whole, cpu: 0 }, whole);
    expect(p.place(job(1, { cpu: 5 }))).toEqual({
      ok: false,
      code: 'RESOURCES',
      message: 'executor swarm has 4 cores in all, the job asks 5',
      never: true,
    });
    expect(p.place(job(2, { cpu: 1, gpus: 2 }))).toMatchObject({
      never: true,
      message: 'executor swarm has 1 GPUs in all, the job asks 2',
    });
    // Fits the whole, not what is free now: it waits.
    expect(p.place(job(3, { cpu: 4 }))).toMatchObject({ ok: false, code: 'RESOURCES' });
    expect(p.place(job(3, { cpu: 4 }))).not.toHaveProperty('never');
  });
});

describe('room of a delegating executor', () => {
  const declared = { cpu: 8, ram: 16 * GB, gpus: 0, jobs: Number.MAX_SAFE_INTEGER };
  const share = (cpu: number, since: number) => ({ cpu, ram: GB, gpus: 0, since });

  it('without a report, is the declared capacity less every job handed to it', () => {
    const room = roomOf({ declared, reported: null }, [share(2, 10), share(1, 20)]);
    expect(room).toMatchObject({ cpu: 5, ram: 14 * GB, jobs: Number.MAX_SAFE_INTEGER - 2 });
  });

  it('with a report, is bounded by it less the jobs handed over after it (the others it counted)', () => {
    // The orchestrator runs other work: it reports 3 cores free at t=100, counting the job of t=10.
    const reported = { cpu: 3, ram: 10 * GB, gpus: 0, jobs: 50, at: 100 };
    const room = roomOf({ declared, reported }, [share(2, 10), share(1, 150)]);
    expect(room).toEqual({ cpu: 2, ram: 9 * GB, gpus: 0, jobs: 49 });
  });

  it('god’s books bound a report that is more generous than what god handed over allows', () => {
    const reported = { cpu: 8, ram: 16 * GB, gpus: 0, jobs: 50, at: 100 };
    const room = roomOf({ declared, reported }, [share(6, 120)]);
    expect(room.cpu).toBe(2);
  });
});
