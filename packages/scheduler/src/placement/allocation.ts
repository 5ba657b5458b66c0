/**
 * Allocations: what one job holds, and the only code that moves resources between "free" and
 * "held". Holding checks every item first and then changes state, so a refused hold changes
 * nothing.
 */
import type { Placement } from '@god/core';
import type { ShardIndex } from './shard-index.js';
import type { HostState, ShardState } from './state.js';

/** What a job holds, by ids (not by indexes, so it can be re-held on a rebuilt host). */
export interface Allocation {
  readonly jobId: number;
  readonly user: string;
  /** `user\0group` when the job belongs to a placement group. */
  readonly groupKey: string | null;
  /** Epoch ms. */
  readonly startedAt: number;
  /** Expected end, epoch ms: start + max lifespan (the watcher kills the job by then). */
  readonly endsAt: number;
  readonly placement: Placement;
  readonly coreIds: readonly number[];
  readonly ramKiB: number;
}

/** Hosts on which each group has running jobs, with counts. */
export type GroupHosts = Map<string, Map<string, number>>;

/** The key of a job's placement group, or null when it has none. */
export function groupKeyOf(user: string, group: { name: string } | null): string | null {
  return group === null ? null : `${user}\u0000${group.name}`;
}

function missing(ids: readonly number[], index: ReadonlyMap<number, number>, free: Uint8Array) {
  return ids.find((id) => {
    const i = index.get(id);
    return i === undefined || free[i] !== 1;
  });
}

/** Why the allocation cannot be held on this host now, or null when it can. */
export function holdProblem(host: HostState, a: Allocation): string | null {
  const p = a.placement;
  const shard = host.shardById.get(p.shard);
  if (shard === undefined) return `host ${host.name} has no shard ${p.shard}`;
  const core = missing(a.coreIds, shard.coreIndex, shard.coreFree);
  if (core !== undefined) return `core ${core} is not a free core of ${host.name}/${p.shard}`;
  const gpu = missing(p.gpus, shard.gpuIndex, shard.gpuFree);
  if (gpu !== undefined) return `GPU ${gpu} is not a free GPU of ${host.name}/${p.shard}`;
  if (new Set(p.gpus).size !== p.gpus.length) return 'a GPU is listed twice';
  if (a.ramKiB > shard.freeRamKiB) return `not enough free RAM on ${host.name}/${p.shard}`;
  const ports = new Set(p.ports);
  if (ports.size !== p.ports.length) return 'a host port is listed twice';
  for (const port of ports) {
    const inPool = port >= host.portLo && port < host.portLo + host.portCount;
    if (!inPool || host.usedPorts.has(port)) return `port ${port} is not free on ${host.name}`;
  }
  return null;
}

function setAll(
  ids: readonly number[],
  index: ReadonlyMap<number, number>,
  free: Uint8Array,
  v: 0 | 1,
) {
  for (const id of ids) free[index.get(id) as number] = v;
}

function countGroup(host: HostState, groups: GroupHosts, key: string, delta: 1 | -1): void {
  const n = (host.groups.get(key) ?? 0) + delta;
  if (n === 0) host.groups.delete(key);
  else host.groups.set(key, n);
  const hosts = groups.get(key) ?? new Map<string, number>();
  const m = (hosts.get(host.name) ?? 0) + delta;
  if (m === 0) hosts.delete(host.name);
  else hosts.set(host.name, m);
  if (hosts.size === 0) groups.delete(key);
  else groups.set(key, hosts);
}

/** Takes the allocation's resources; the caller checked `holdProblem` first. */
export function hold(index: ShardIndex, groups: GroupHosts, host: HostState, a: Allocation): void {
  const shard = host.shardById.get(a.placement.shard) as ShardState;
  index.update(shard, () => {
    setAll(a.coreIds, shard.coreIndex, shard.coreFree, 0);
    setAll(a.placement.gpus, shard.gpuIndex, shard.gpuFree, 0);
    shard.freeCores -= a.coreIds.length;
    shard.freeGpus -= a.placement.gpus.length;
    shard.freeRamKiB -= a.ramKiB;
  });
  for (const port of a.placement.ports) host.usedPorts.add(port);
  host.jobs.add(a.jobId);
  if (a.groupKey !== null) countGroup(host, groups, a.groupKey, 1);
}

/** Gives back exactly what `hold` took. */
export function unhold(
  index: ShardIndex,
  groups: GroupHosts,
  host: HostState,
  a: Allocation,
): void {
  const shard = host.shardById.get(a.placement.shard) as ShardState;
  index.update(shard, () => {
    setAll(a.coreIds, shard.coreIndex, shard.coreFree, 1);
    setAll(a.placement.gpus, shard.gpuIndex, shard.gpuFree, 1);
    shard.freeCores += a.coreIds.length;
    shard.freeGpus += a.placement.gpus.length;
    shard.freeRamKiB += a.ramKiB;
  });
  for (const port of a.placement.ports) host.usedPorts.delete(port);
  host.jobs.delete(a.jobId);
  if (a.groupKey !== null) countGroup(host, groups, a.groupKey, -1);
}

/**
 * Picks `n` free cores: the shortest run of consecutive free core ids that is long enough (so
 * long runs stay whole for bigger jobs and a job's cores share caches), else the lowest free ids.
 */
export function pickCores(shard: ShardState, n: number): number[] {
  const { cores, coreFree } = shard;
  let best = -1;
  let bestLen = Infinity;
  let i = 0;
  while (i < cores.length) {
    if (coreFree[i] !== 1) {
      i += 1;
      continue;
    }
    let j = i + 1;
    while (j < cores.length && coreFree[j] === 1 && cores[j] === (cores[j - 1] as number) + 1) j++;
    if (j - i >= n && j - i < bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best >= 0) return cores.slice(best, best + n);
  return lowestFree(cores, coreFree, n);
}

/** The `n` lowest free ids. */
export function lowestFree(ids: readonly number[], free: Uint8Array, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length && out.length < n; i++) {
    if (free[i] === 1) out.push(ids[i] as number);
  }
  return out;
}

/** The `n` lowest free host ports of the host's pool; the caller checked there are enough. */
export function pickPorts(host: HostState, n: number): number[] {
  const out: number[] = [];
  const end = host.portLo + host.portCount;
  for (let port = host.portLo; port < end && out.length < n; port++) {
    if (!host.usedPorts.has(port)) out.push(port);
  }
  return out;
}
