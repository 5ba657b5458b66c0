/**
 * The mutable free-capacity state of hosts and shards. RAM is kept in whole KiB so that sums
 * and differences are exact integers: releasing a job gives back exactly what it took, with no
 * floating-point drift after millions of jobs.
 */
import type { HostInfo } from '@god/core';

/** KiB in one GB (binary units, as `parseSizeBytes` reads them). */
export const KIB_PER_GB = 1024 * 1024;

/** One NUMA shard: its fixed shape and what is free on it. */
export interface ShardState {
  readonly host: HostState;
  readonly id: string;
  readonly mems: string;
  /** Core ids, ascending; `coreFree[i]` is 1 when `cores[i]` is free. */
  readonly cores: readonly number[];
  readonly coreIndex: ReadonlyMap<number, number>;
  readonly coreFree: Uint8Array;
  readonly gpus: readonly number[];
  readonly gpuIndex: ReadonlyMap<number, number>;
  readonly gpuFree: Uint8Array;
  readonly ramKiB: number;
  freeCores: number;
  freeGpus: number;
  freeRamKiB: number;
}

/** One host: labels, reservation, port pool, shards, and the jobs and groups running on it. */
export interface HostState {
  readonly name: string;
  /** `JSON` of the HostInfo: an unchanged host keeps its state across `updateHosts`. */
  readonly signature: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly reservedUsers: ReadonlySet<string> | null;
  readonly reservedProjects: ReadonlySet<string> | null;
  readonly shards: readonly ShardState[];
  readonly shardById: ReadonlyMap<string, ShardState>;
  readonly portLo: number;
  readonly portCount: number;
  readonly usedPorts: Set<number>;
  /** Running jobs per `user\0group`, for affinity rules. */
  readonly groups: Map<string, number>;
  readonly jobs: Set<number>;
}

/** Host ports still free on a host. */
export function freePorts(host: HostState): number {
  return host.portCount - host.usedPorts.size;
}

/** The problem with a host description, or null when it is usable. */
function hostProblem(info: HostInfo): string | null {
  if (info.name === '') return 'a host needs a name';
  const shardIds = new Set<string>();
  const cores = new Set<number>();
  const gpus = new Set<number>();
  for (const s of info.shards) {
    if (shardIds.has(s.id)) return `shard ${s.id} is listed twice`;
    shardIds.add(s.id);
    if (!(Number.isFinite(s.ramGB) && s.ramGB >= 0)) return `shard ${s.id} has a bad ramGB`;
    for (const c of s.cores) {
      if (!Number.isInteger(c) || c < 0 || cores.has(c)) return `core ${c} is bad or listed twice`;
      cores.add(c);
    }
    for (const g of s.gpus) {
      if (!Number.isInteger(g) || g < 0 || gpus.has(g)) return `GPU ${g} is bad or listed twice`;
      gpus.add(g);
    }
  }
  const range = info.portRange;
  if (range !== null && !(range[0] >= 1 && range[1] <= 65535 && range[0] <= range[1])) {
    return `port range ${range[0]}-${range[1]} is not within 1-65535`;
  }
  return null;
}

function indexOf(ids: readonly number[]): Map<number, number> {
  return new Map(ids.map((id, i) => [id, i]));
}

/** Builds the state of an idle host, or returns why its description cannot be used. */
export function buildHost(info: HostInfo): HostState | string {
  const problem = hostProblem(info);
  if (problem !== null) return problem;
  const shards: ShardState[] = [];
  const shardById = new Map<string, ShardState>();
  const range = info.portRange;
  const host: HostState = {
    name: info.name,
    signature: JSON.stringify(info),
    labels: new Map(Object.entries(info.labels)),
    reservedUsers: info.reservedFor === null ? null : new Set(info.reservedFor.users),
    reservedProjects: info.reservedFor === null ? null : new Set(info.reservedFor.projects),
    shards,
    shardById,
    portLo: range === null ? 0 : range[0],
    portCount: range === null ? 0 : range[1] - range[0] + 1,
    usedPorts: new Set(),
    groups: new Map(),
    jobs: new Set(),
  };
  for (const s of info.shards) {
    const cores = [...s.cores].sort((a, b) => a - b);
    const gpus = [...s.gpus].sort((a, b) => a - b);
    const ramKiB = Math.max(0, Math.floor(s.ramGB * KIB_PER_GB));
    const shard: ShardState = {
      host,
      id: s.id,
      mems: s.mems,
      cores,
      coreIndex: indexOf(cores),
      coreFree: new Uint8Array(cores.length).fill(1),
      gpus,
      gpuIndex: indexOf(gpus),
      gpuFree: new Uint8Array(gpus.length).fill(1),
      ramKiB,
      freeCores: cores.length,
      freeGpus: gpus.length,
      freeRamKiB: ramKiB,
    };
    shards.push(shard);
    shardById.set(s.id, shard);
  }
  return host;
}
