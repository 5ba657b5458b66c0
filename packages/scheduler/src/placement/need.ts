/**
 * A request turned into what the engine counts (whole KiB of RAM, durations in ms, parsed
 * labels), and the host rules that depend on who asks: labels, reserved hosts, groups.
 */
import type { Placement } from '@god/core';
import { groupKeyOf, type Allocation, type GroupHosts } from './allocation.js';
import type { ShardNeed } from './shard-index.js';
import { freePorts, KIB_PER_GB, type HostState, type ShardState } from './state.js';
import type { PlacementRequest } from './types.js';

/** A validated request in the engine's units. */
export interface Need extends ShardNeed {
  readonly request: PlacementRequest;
  readonly ports: number;
  readonly labels: readonly (readonly [string, string])[];
  readonly groupKey: string | null;
  /** Expected run time in ms (max lifespan, or the default). */
  readonly durationMs: number;
}

const isCount = (n: number, min: number) => Number.isInteger(n) && n >= min;

/** The request in engine units, or what is wrong with it. */
export function needOf(req: PlacementRequest, defaultMaxLifespan: number): Need | string {
  if (!isCount(req.cpu, 1)) return `cpu must be a whole number of cores >= 1, not ${req.cpu}`;
  if (!isCount(req.ram, 1)) return `ram must be a whole number of bytes >= 1, not ${req.ram}`;
  if (!isCount(req.gpus, 0)) return `gpus must be a whole number >= 0, not ${req.gpus}`;
  if (!isCount(req.maxlifespan, 0)) return 'maxlifespan must be a whole number of seconds >= 0';
  const labels: (readonly [string, string])[] = [];
  for (const l of req.label) {
    const at = l.indexOf('==');
    if (at <= 0) return `constraint "${l}" is not name==value`;
    labels.push([l.slice(0, at), l.slice(at + 2)]);
  }
  return {
    request: req,
    cores: req.cpu,
    // Whole KiB, rounded up: a job never gets less than it asked for.
    ramKiB: Math.ceil(req.ram / 1024),
    gpus: req.gpus,
    ports: req.ports.length,
    labels,
    groupKey: groupKeyOf(req.user, req.group),
    durationMs: (req.maxlifespan > 0 ? req.maxlifespan : defaultMaxLifespan) * 1000,
  };
}

/** The allocation record of a job placed (or restored) with this placement. */
export function allocationFor(
  need: Need,
  placement: Placement,
  coreIds: readonly number[],
  startedAt: number,
): Allocation {
  return {
    jobId: need.request.id,
    user: need.request.user,
    groupKey: need.groupKey,
    startedAt,
    endsAt: startedAt + need.durationMs,
    // Frozen: callers get this very object back, and a change to it would corrupt the books.
    placement: Object.freeze({
      ...placement,
      gpus: Object.freeze([...placement.gpus]) as number[],
      ports: Object.freeze([...placement.ports]) as number[],
    }),
    coreIds,
    ramKiB: need.ramKiB,
  };
}

/** True when the host's labels and reservation let this job run there (fixed per host). */
export function allowsStatic(host: HostState, need: Need): boolean {
  for (const [name, value] of need.labels) {
    if (host.labels.get(name) !== value) return false;
  }
  if (host.reservedUsers === null) return true;
  const { user, project } = need.request;
  return host.reservedUsers.has(user) || (host.reservedProjects?.has(project) ?? false);
}

/** True when the job's group rule lets it run on the host, given the running jobs. */
export function allowsGroup(host: HostState, need: Need, groups: GroupHosts): boolean {
  const group = need.request.group;
  if (group === null || need.groupKey === null) return true;
  if (group.policy === 'anti-affinity') return !host.groups.has(need.groupKey);
  const hosts = groups.get(need.groupKey);
  return hosts === undefined || hosts.has(host.name);
}

/** True when the shard could hold the job if the whole host were idle. */
export function fitsWhenIdle(s: ShardState, need: Need): boolean {
  return (
    s.cores.length >= need.cores &&
    s.ramKiB >= need.ramKiB &&
    s.gpus.length >= need.gpus &&
    s.host.portCount >= need.ports
  );
}

/** True when the shard and its host have enough free resources now. */
export function fitsNow(s: ShardState, need: Need): boolean {
  return (
    s.freeCores >= need.cores &&
    s.freeRamKiB >= need.ramKiB &&
    s.freeGpus >= need.gpus &&
    freePorts(s.host) >= need.ports
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const gb = (kib: number) => `${Math.round((kib / KIB_PER_GB) * 100) / 100} GB`;

/** `4 cores, 8 GB RAM, 1 GPU, 2 ports`, the words of why-pending messages. */
export function describeNeed(need: Need): string {
  const parts = [plural(need.cores, 'core'), `${gb(need.ramKiB)} RAM`];
  if (need.gpus > 0) parts.push(plural(need.gpus, 'GPU'));
  if (need.ports > 0) parts.push(plural(need.ports, 'host port'));
  return parts.join(', ');
}

/** The same words for a shard's full size. */
export function describeShard(s: ShardState): string {
  const parts = [plural(s.cores.length, 'core'), `${gb(s.ramKiB)} RAM`];
  parts.push(plural(s.gpus.length, 'GPU'), plural(s.host.portCount, 'host port'));
  return `${s.host.name}/${s.id} (${parts.join(', ')})`;
}

/**
 * Why the job can never run on the current hosts even when they are idle (no host its labels
 * and reservations allow, or no such shard large enough), or null when it could (or when there
 * are no hosts at all).
 */
export function neverFits(
  hosts: Iterable<HostState>,
  need: Need,
): { code: 'RESOURCES' | 'CONSTRAINT'; message: string } | null {
  let seen = 0;
  let allowed = 0;
  let largest: ShardState | null = null;
  for (const host of hosts) {
    seen += 1;
    if (!allowsStatic(host, need)) continue;
    allowed += 1;
    for (const s of host.shards) {
      if (fitsWhenIdle(s, need)) return null;
      if (largest === null || s.cores.length > largest.cores.length) largest = s;
    }
  }
  // No hosts at all (agents not registered yet) says nothing about the job: never reject then.
  if (seen === 0) return null;
  if (allowed === 0) {
    const labels = need.labels.length > 0 ? ` with labels ${need.request.label.join(', ')}` : '';
    return {
      code: 'CONSTRAINT',
      message: `no host${labels} is open to ${need.request.user} (project ${need.request.project})`,
    };
  }
  const biggest =
    largest === null ? 'none has a shard' : `the largest is ${describeShard(largest)}`;
  return {
    code: 'RESOURCES',
    message: `needs ${describeNeed(need)} in one NUMA shard; no shard of the ${plural(allowed, 'host')} it may use is that large: ${biggest}`,
  };
}
