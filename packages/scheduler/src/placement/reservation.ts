/**
 * EASY backfill. The first candidate of a pass that does not fit gets a reservation: the
 * earliest time and shard at which enough resources will be free, assuming each running job
 * ends at its expected end (start + max lifespan, which the watcher enforces). Later candidates
 * may only start if they end before that time, or if they use resources the reservation does
 * not need ("extra": what will be free at that time beyond the head job's needs).
 *
 * Group rules are timed too: an anti-affinity head can use a host once its group's jobs there
 * have ended; an affinity head can use a host without its group once all the group's jobs ended.
 */
import type { Allocation, GroupHosts } from './allocation.js';
import { allowsStatic, fitsWhenIdle, type Need } from './need.js';
import { freePorts, type HostState, type ShardState } from './state.js';

/** Free amounts on the reserved shard (and host ports) beyond the head job's needs. */
export interface Extra {
  cores: number;
  ramKiB: number;
  gpus: number;
  ports: number;
}

/** The head job's reserved shard and start time for the rest of a pass. */
export interface Reservation {
  readonly need: Need;
  readonly host: HostState;
  readonly shard: ShardState;
  /** Epoch ms. */
  readonly startAt: number;
  readonly extra: Extra;
}

/** The running jobs of a host, earliest expected end first. */
function byEnd(host: HostState, allocs: ReadonlyMap<number, Allocation>): Allocation[] {
  const jobs: Allocation[] = [];
  for (const id of host.jobs) {
    const a = allocs.get(id);
    if (a !== undefined) jobs.push(a);
  }
  return jobs.sort((x, y) => x.endsAt - y.endsAt);
}

/**
 * The earliest time in [`notBefore`, `limit`] at which the shard can hold the job, with what
 * is left over then, or null. Overdue jobs (past their expected end) count as ending now.
 */
function earliestOn(
  shard: ShardState,
  need: Need,
  now: number,
  jobs: readonly Allocation[],
  notBefore: number,
  limit: number,
): { startAt: number; extra: Extra } | null {
  const anti = need.request.group?.policy === 'anti-affinity';
  const free = {
    cores: shard.freeCores,
    ramKiB: shard.freeRamKiB,
    gpus: shard.freeGpus,
    ports: freePorts(shard.host),
    mates: anti ? (shard.host.groups.get(need.groupKey ?? '') ?? 0) : 0,
  };
  const endOf = (a: Allocation) => Math.max(a.endsAt, now);
  const take = (a: Allocation) => {
    if (a.placement.shard === shard.id) {
      free.cores += a.coreIds.length;
      free.ramKiB += a.ramKiB;
      free.gpus += a.placement.gpus.length;
    }
    free.ports += a.placement.ports.length;
    if (anti && a.groupKey === need.groupKey) free.mates -= 1;
  };
  let i = 0;
  let t = notBefore;
  // Everything ending at or before a time is given back before that time is checked.
  for (; i < jobs.length && endOf(jobs[i] as Allocation) <= t; i++) take(jobs[i] as Allocation);
  while (t <= limit) {
    const enough =
      free.cores >= need.cores &&
      free.ramKiB >= need.ramKiB &&
      free.gpus >= need.gpus &&
      free.ports >= need.ports &&
      free.mates === 0;
    if (enough) return { startAt: t, extra: minus(free, need) };
    const next = jobs[i];
    if (next === undefined) return null;
    t = endOf(next);
    for (; i < jobs.length && endOf(jobs[i] as Allocation) <= t; i++) take(jobs[i] as Allocation);
  }
  return null;
}

function minus(free: Extra, need: Need): Extra {
  return {
    cores: free.cores - need.cores,
    ramKiB: free.ramKiB - need.ramKiB,
    gpus: free.gpus - need.gpus,
    ports: free.ports - need.ports,
  };
}

/** Earliest start first; on a tie, host name then shard id, so the choice is deterministic. */
function earlier(startAt: number, s: ShardState, best: Reservation): boolean {
  if (startAt !== best.startAt) return startAt < best.startAt;
  if (s.host.name !== best.host.name) return s.host.name < best.host.name;
  return s.id < best.shard.id;
}

/** When an affinity head may use hosts without its group: once the group's last job ended. */
function affinityFreeFrom(need: Need, allocs: ReadonlyMap<number, Allocation>, now: number) {
  let last = now;
  for (const a of allocs.values()) {
    if (a.groupKey === need.groupKey) last = Math.max(last, a.endsAt);
  }
  return last;
}

/** The reservation of the job on the hosts it may use: earliest start, then name. */
export function reserve(
  hosts: Iterable<HostState>,
  allocs: ReadonlyMap<number, Allocation>,
  groups: GroupHosts,
  need: Need,
  now: number,
): Reservation | null {
  const matesOn = need.groupKey === null ? undefined : groups.get(need.groupKey);
  const affinity = need.request.group?.policy === 'affinity' && matesOn !== undefined;
  const freeFrom = affinity ? affinityFreeFrom(need, allocs, now) : now;
  let best: Reservation | null = null;
  for (const host of hosts) {
    if (!allowsStatic(host, need)) continue;
    const notBefore = affinity && !(matesOn?.has(host.name) ?? false) ? freeFrom : now;
    let jobs: Allocation[] | null = null;
    for (const shard of host.shards) {
      if (!fitsWhenIdle(shard, need)) continue;
      jobs ??= byEnd(host, allocs);
      // A shard that cannot start before the best so far is not simulated further.
      const at = earliestOn(shard, need, now, jobs, notBefore, best?.startAt ?? Infinity);
      if (at !== null && (best === null || earlier(at.startAt, shard, best))) {
        best = { need, host, shard, startAt: at.startAt, extra: at.extra };
      }
    }
  }
  return best;
}

/** True when a job running until `now + durationMs` would still be running at the reservation. */
function outlasts(r: Reservation, need: Need, now: number): boolean {
  return need.request.id !== r.need.request.id && now + need.durationMs > r.startAt;
}

/**
 * True when a long job of the head's own group keeps the head's host usable at its start: it
 * must join the head's host (affinity) or stay off it (anti-affinity).
 */
function keepsGroupRule(r: Reservation, need: Need, s: ShardState): boolean {
  const head = r.need.request.group;
  if (head === null || need.groupKey !== r.need.groupKey) return true;
  return head.policy === 'affinity' ? s.host === r.host : s.host !== r.host;
}

/**
 * True when placing the job on this shard now cannot delay the reservation: it ends in time,
 * or it is off the reserved host, or it fits in the reservation's extra.
 */
export function respects(r: Reservation, need: Need, s: ShardState, now: number): boolean {
  if (!outlasts(r, need, now)) return true;
  if (!keepsGroupRule(r, need, s)) return false;
  if (s.host !== r.host) return true;
  if (need.ports > r.extra.ports) return false;
  if (s !== r.shard) return true;
  const x = r.extra;
  return need.cores <= x.cores && need.ramKiB <= x.ramKiB && need.gpus <= x.gpus;
}

/** Books a long job placed on the reserved host against the reservation's extra. */
export function chargeExtra(r: Reservation, need: Need, s: ShardState, now: number): void {
  if (!outlasts(r, need, now) || s.host !== r.host) return;
  r.extra.ports -= need.ports;
  if (s !== r.shard) return;
  r.extra.cores -= need.cores;
  r.extra.ramKiB -= need.ramKiB;
  r.extra.gpus -= need.gpus;
}
