import { describe, expect, it } from 'vitest';
import { createCluster } from '../placement/index.js';
import { makeHost } from '../placement/test-builders.js';
import type { SchedJob } from '../sched-job.js';
import { createDelegatedPlacer, createNumaPlacer, DELEGATED_SHARD, routePlacer } from './index.js';

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

  it('admits nothing before the executor reported its capacity, and says so', () => {
    const p = createDelegatedPlacer('swarm', null);
    expect(p.place(job(1))).toEqual({
      ok: false,
      code: 'RESOURCES',
      message: 'executor swarm has not reported its free capacity yet',
    });
  });
});
