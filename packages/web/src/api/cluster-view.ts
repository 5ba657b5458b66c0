/**
 * The cluster as the web UI draws it, assembled from the node registry and the placed jobs:
 * pure functions, so the redaction is testable without a cluster. A caller sees the id, owner
 * and name only of jobs they may see; every other job is the string 'busy'.
 */
import { BYTES_PER_GB, cpusetOrProblem, type Job } from '@god/core';
import type { NodeEntry } from '@god/coord';
import type { z } from 'zod';
import type { ClusterView } from './schemas.js';

type Cluster = z.output<typeof ClusterView>;
type HostView = Cluster['hosts'][number];
/** Who holds a core or GPU, as the caller may know it. */
export type Holder = null | 'busy' | { id: number; user: string; name: string };

/**
 * The core ids of a placement's `cpus` (a cpuset list, `0-3,8`: one id per physical core).
 * Malformed text yields no cores rather than failing the whole view: the job still counts
 * for RAM, and the placement is the store's, not the caller's, to fix.
 */
export function placementCores(cpus: string): number[] {
  const ids = cpusetOrProblem(cpus);
  return typeof ids === 'string' ? [] : ids;
}

/** A placed job and whether the caller may see it. */
export interface PlacedJob {
  job: Job;
  visible: boolean;
}

function holderOf(p: PlacedJob): Holder {
  return p.visible ? { id: p.job.id, user: p.job.user.id, name: p.job.meta.name } : 'busy';
}

/** The jobs placed on each `host/shard`. */
function byShard(placed: readonly PlacedJob[]): Map<string, PlacedJob[]> {
  const out = new Map<string, PlacedJob[]>();
  for (const p of placed) {
    const at = p.job.placement;
    if (at === null) continue;
    const key = `${at.host}\u0000${at.shard}`;
    const list = out.get(key);
    if (list === undefined) out.set(key, [p]);
    else list.push(p);
  }
  return out;
}

/** One host's view: each core and GPU with its holder, RAM asked for per shard. */
function hostView(entry: NodeEntry, alive: boolean, jobs: Map<string, PlacedJob[]>): HostView {
  const h = entry.host;
  return {
    name: h.name,
    alive,
    lastSeen: entry.lastSeen,
    labels: h.labels,
    reservedFor: h.reservedFor,
    shards: h.shards.map((s) => {
      const here = jobs.get(`${h.name}\u0000${s.id}`) ?? [];
      const cores = new Map<number, Holder>();
      const gpus = new Map<number, Holder>();
      let ram = 0;
      for (const p of here) {
        ram += p.job.requirements.ram;
        for (const c of placementCores(p.job.placement?.cpus ?? '')) cores.set(c, holderOf(p));
        for (const g of p.job.placement?.gpus ?? []) gpus.set(g, holderOf(p));
      }
      return {
        id: s.id,
        cores: s.cores.map((id) => ({ id, job: cores.get(id) ?? null })),
        ramGB: s.ramGB,
        ramUsedGB: ram / BYTES_PER_GB,
        gpus: s.gpus.map((id) => ({ id, job: gpus.get(id) ?? null })),
      };
    }),
  };
}

/** The cluster view of `hosts` (with the names of those alive) and the placed jobs. */
export function clusterView(
  maintenance: boolean,
  hosts: readonly NodeEntry[],
  aliveNames: ReadonlySet<string>,
  placed: readonly PlacedJob[],
): Cluster {
  const jobs = byShard(placed);
  return {
    maintenance,
    hosts: hosts.map((e) => hostView(e, aliveNames.has(e.host.name), jobs)),
  };
}
