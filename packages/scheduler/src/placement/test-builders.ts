/** Test builders for the placement engine (`makeX`, as in Kueue's fixtures). Not exported. */
import type { HostInfo, ShardInfo } from '@god/core';
import type { PlacementRequest } from './types.js';

/** `n` consecutive ids from `start`. */
export function range(start: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

/** A shard `numa<n>` with `cores` consecutive cores starting at `n * cores`. */
export function makeShard(n: number, cores: number, over: Partial<ShardInfo> = {}): ShardInfo {
  return {
    id: `numa${n}`,
    mems: `${n}`,
    cores: range(n * cores, cores),
    ramGB: 64,
    gpus: [],
    ...over,
  };
}

/** A host with `shards` shards of `cores` cores each, 64 GB each, no GPUs, no ports. */
export function makeHost(
  name: string,
  over: Partial<HostInfo> = {},
  shards = 2,
  cores = 8,
): HostInfo {
  return {
    name,
    labels: {},
    shards: Array.from({ length: shards }, (_, i) => makeShard(i, cores)),
    reservedFor: null,
    portRange: null,
    ...over,
  };
}

let nextId = 1;

/** A 1-core, 1 GB request of alice (project p) with a fresh id; `ramGB` sets `ram` in GB. */
export function makeRequest(
  over: Partial<PlacementRequest> & { ramGB?: number } = {},
): PlacementRequest {
  const { ramGB, ...rest } = over;
  return {
    id: nextId++,
    user: 'alice',
    project: 'p',
    cpu: 1,
    ram: 2 ** 30,
    gpus: 0,
    ports: [],
    label: [],
    group: null,
    maxlifespan: 3600,
    ...rest,
    ...(ramGB !== undefined && { ram: ramGB * 2 ** 30 }),
  };
}
