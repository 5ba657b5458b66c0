/**
 * The cluster: hosts, their free capacity, and every job's allocation. All changes go through
 * `hold`/`unhold` (allocation.ts), so the free counts, the shard index and the group registry
 * move together. Pure and synchronous: the scheduler process owns the I/O around it.
 */
import { GodError, ValidationError, type HostInfo, type Placement } from '@god/core';
import { hold, holdProblem, unhold, type Allocation, type GroupHosts } from './allocation.js';
import { parseCpuset } from './cpuset.js';
import { summarize } from './free.js';
import { allocationFor, needOf, neverFits } from './need.js';
import { createPass, type ClusterCore } from './pass.js';
import { ShardIndex } from './shard-index.js';
import { buildHost, type HostState } from './state.js';
import {
  DEFAULT_MAX_LIFESPAN_SECONDS,
  type ClusterOptions,
  type FreeSummary,
  type HostProblem,
  type PlacementRequest,
  type RestoreResult,
  type SchedulingPass,
  type StrandedJob,
} from './types.js';

/** The placement engine's view of the hosts and of the jobs placed on them. */
export interface Cluster {
  /** Starts a scheduling pass at `now` (epoch ms); one pass at a time. */
  beginPass(now: number): SchedulingPass;
  /** Records a job placed before (leader start-up); `startedAt` in epoch ms. */
  restore(request: PlacementRequest, placement: Placement, startedAt: number): RestoreResult;
  /** Frees what the job holds and returns its placement, or null if it held nothing. */
  release(jobId: number): Placement | null;
  /** Replaces the host list; returns the hosts left out because their description is wrong. */
  updateHosts(hosts: readonly HostInfo[]): HostProblem[];
  /** Jobs whose allocation no current host can hold: the scheduler decides their fate. */
  stranded(): StrandedJob[];
  /** The placement a job holds (stranded or not), or null. */
  placementOf(jobId: number): Placement | null;
  /** Placements of the jobs that hold resources on current hosts. */
  placements(): Map<number, Placement>;
  /** Hosts the last `updateHosts` (or `createCluster`) left out, with why. */
  hostProblems(): HostProblem[];
  /** Free and total capacity, for metrics. */
  free(): FreeSummary;
  /** Bumped whenever the hosts change (so a verdict of `unfit` may change only then). */
  readonly generation: number;
  /**
   * Why a job of this shape cannot run on the current hosts even when they are idle, or null
   * when it could; `final` is false when there are no hosts at all (agents not registered yet).
   */
  unfit(request: PlacementRequest): Unfit | null;
}

/** Why a job of some shape cannot be placed on any current host, idle or not. */
export interface Unfit {
  code: 'RESOURCES' | 'CONSTRAINT';
  message: string;
  /** True when hosts exist and none can ever take the job: a reason to reject it. */
  final: boolean;
}

class ClusterState implements Cluster, ClusterCore {
  hosts = new Map<string, HostState>();
  readonly index = new ShardIndex();
  readonly groups: GroupHosts = new Map();
  readonly live = new Map<number, Allocation>();
  readonly lost = new Map<number, { allocation: Allocation; reason: string }>();
  generation = 0;
  problems: HostProblem[] = [];

  constructor(readonly defaultMaxLifespan: number) {}

  isKnown(jobId: number): boolean {
    return this.live.has(jobId) || this.lost.has(jobId);
  }

  commit(a: Allocation): void {
    const host = this.hosts.get(a.placement.host);
    const problem = host === undefined ? 'unknown host' : holdProblem(host, a);
    // The pass picked these resources from this very state: a refusal here is a bug.
    if (host === undefined || problem !== null) {
      throw new GodError('INTERNAL', `placement of job ${a.jobId} refused: ${problem}`);
    }
    hold(this.index, this.groups, host, a);
    this.live.set(a.jobId, a);
  }

  beginPass(now: number): SchedulingPass {
    return createPass(this, now);
  }

  restore(request: PlacementRequest, placement: Placement, startedAt: number): RestoreResult {
    if (this.isKnown(request.id)) return { ok: false, message: `job ${request.id} is known` };
    const need = needOf(request, this.defaultMaxLifespan);
    if (typeof need === 'string') return { ok: false, message: need };
    const coreIds = parseCpuset(placement.cpus);
    if (typeof coreIds === 'string') return { ok: false, message: coreIds };
    const a = allocationFor(need, placement, coreIds, startedAt);
    const host = this.hosts.get(placement.host);
    if (host === undefined) {
      this.lost.set(a.jobId, { allocation: a, reason: `host ${placement.host} is not known` });
      return { ok: true, stranded: true };
    }
    const problem = holdProblem(host, a);
    if (problem !== null) return { ok: false, message: problem };
    hold(this.index, this.groups, host, a);
    this.live.set(a.jobId, a);
    return { ok: true, stranded: false };
  }

  release(jobId: number): Placement | null {
    const a = this.live.get(jobId);
    if (a === undefined) {
      const lost = this.lost.get(jobId);
      this.lost.delete(jobId);
      return lost?.allocation.placement ?? null;
    }
    unhold(this.index, this.groups, this.hosts.get(a.placement.host) as HostState, a);
    this.live.delete(jobId);
    return a.placement;
  }

  unfit(request: PlacementRequest): Unfit | null {
    if (this.hosts.size === 0)
      return { code: 'RESOURCES', message: 'no hosts are registered', final: false };
    const need = needOf(request, this.defaultMaxLifespan);
    if (typeof need === 'string') return { code: 'RESOURCES', message: need, final: true };
    const never = neverFits(this.hosts.values(), need);
    return never === null ? null : { ...never, final: true };
  }

  updateHosts(infos: readonly HostInfo[]): HostProblem[] {
    const problems: HostProblem[] = [];
    const next = new Map<string, HostState>();
    for (const info of infos) {
      const old = this.hosts.get(info.name);
      const built = next.has(info.name)
        ? 'is listed twice'
        : old?.signature === JSON.stringify(info)
          ? old
          : buildHost(info);
      if (typeof built === 'string') problems.push({ host: info.name, message: built });
      else next.set(info.name, built);
    }
    let changed = false;
    for (const [name, old] of this.hosts) {
      if (next.get(name) === old) continue;
      this.detach(old, next.has(name) ? 'changed' : 'left');
      changed = true;
    }
    for (const [name, host] of next) {
      if (this.hosts.get(name) === host) continue;
      for (const s of host.shards) this.index.insert(s);
      changed = true;
    }
    if (changed) this.generation += 1;
    this.hosts = next;
    this.reattach();
    this.problems = problems;
    return problems;
  }

  /** Takes a host out: its jobs keep their records but hold nothing until `reattach`. */
  private detach(host: HostState, why: 'changed' | 'left'): void {
    for (const id of [...host.jobs]) {
      const a = this.live.get(id) as Allocation;
      unhold(this.index, this.groups, host, a);
      this.live.delete(id);
      this.lost.set(id, { allocation: a, reason: `host ${host.name} ${why}` });
    }
    for (const s of host.shards) this.index.remove(s);
  }

  /** Holds again what stranded jobs held, oldest first, where their host now allows it. */
  private reattach(): void {
    const waiting = [...this.lost.values()]
      .map((l) => l.allocation)
      .sort((a, b) => a.startedAt - b.startedAt || a.jobId - b.jobId);
    for (const a of waiting) {
      const host = this.hosts.get(a.placement.host);
      if (host === undefined) continue;
      const problem = holdProblem(host, a);
      if (problem !== null) {
        this.lost.set(a.jobId, { allocation: a, reason: problem });
        continue;
      }
      hold(this.index, this.groups, host, a);
      this.lost.delete(a.jobId);
      this.live.set(a.jobId, a);
    }
  }

  stranded(): StrandedJob[] {
    return [...this.lost.values()]
      .map(({ allocation, reason }) => ({
        jobId: allocation.jobId,
        placement: allocation.placement,
        reason,
      }))
      .sort((a, b) => a.jobId - b.jobId);
  }

  placementOf(jobId: number): Placement | null {
    return (this.live.get(jobId) ?? this.lost.get(jobId)?.allocation)?.placement ?? null;
  }

  placements(): Map<number, Placement> {
    return new Map([...this.live].map(([id, a]) => [id, a.placement]));
  }

  hostProblems(): HostProblem[] {
    return [...this.problems];
  }

  free(): FreeSummary {
    return summarize(this.hosts.values(), this.live.size, this.lost.size);
  }
}

/** A cluster over these hosts (hosts with a bad description are left out: see `updateHosts`). */
export function createCluster(
  hosts: readonly HostInfo[],
  opts: Partial<ClusterOptions> = {},
): Cluster {
  const lifespan = opts.defaultMaxLifespan ?? DEFAULT_MAX_LIFESPAN_SECONDS;
  if (!(Number.isInteger(lifespan) && lifespan > 0)) {
    const message = 'must be a whole number of seconds > 0';
    throw new ValidationError(
      'placement options',
      [{ path: 'defaultMaxLifespan', message }],
      'INVALID_CONFIG',
    );
  }
  const cluster = new ClusterState(lifespan);
  cluster.updateHosts(hosts);
  return cluster;
}
