/**
 * A scheduling pass: the scheduler offers candidates best first; each is placed at once on the
 * best-fit shard (and committed), or told why not. The first candidate that does not fit takes
 * the pass's backfill reservation (see reservation.ts and README.md).
 */
import { GodError, type Placement } from '@god/core';
import {
  lowestFree,
  pickCores,
  pickPorts,
  type Allocation,
  type GroupHosts,
} from './allocation.js';
import { formatCpuset } from './cpuset.js';
import {
  allocationFor,
  allowsGroup,
  allowsStatic,
  describeNeed,
  needOf,
  neverFits,
  type Need,
} from './need.js';
import { chargeExtra, reserve, respects, type Reservation } from './reservation.js';
import type { ShardIndex } from './shard-index.js';
import { freePorts, type HostState, type ShardState } from './state.js';
import type { ConsiderResult, PlacementRequest, ReservationView, SchedulingPass } from './types.js';

/** What a pass reads of the cluster, and the one way it changes it (`commit`). */
export interface ClusterCore {
  readonly hosts: ReadonlyMap<string, HostState>;
  readonly index: ShardIndex;
  readonly groups: GroupHosts;
  readonly live: ReadonlyMap<number, Allocation>;
  /** Bumped when hosts change, so a pass knows its reservation may name a stale shard. */
  readonly generation: number;
  readonly defaultMaxLifespan: number;
  isKnown(jobId: number): boolean;
  commit(allocation: Allocation): void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Why the job may not use this host (which has room for it): the first rule it breaks. */
function whyNotOn(host: HostState, need: Need, groups: GroupHosts): string {
  const label = need.labels.find(([name, value]) => host.labels.get(name) !== value);
  if (label !== undefined) return `${host.name} does not have label ${label[0]}==${label[1]}`;
  if (!allowsStatic(host, need)) return `${host.name} is reserved for other users and projects`;
  const g = need.request.group;
  if (g?.policy === 'anti-affinity') return `group ${g.name} already runs on ${host.name}`;
  const hosts = [...(groups.get(need.groupKey ?? '')?.keys() ?? [])].sort().join(', ');
  return `group ${g?.name ?? ''} runs on ${hosts}`;
}

/** One pass: its time, and the reservation of its head job once a candidate did not fit. */
class Pass implements SchedulingPass {
  private held: Reservation | null = null;
  private generation: number;

  constructor(
    private readonly core: ClusterCore,
    readonly now: number,
  ) {
    this.generation = core.generation;
  }

  consider(request: PlacementRequest): ConsiderResult {
    if (this.core.isKnown(request.id)) {
      throw new GodError('CONFLICT', `job ${request.id} already holds a placement`);
    }
    const need = needOf(request, this.core.defaultMaxLifespan);
    if (typeof need === 'string') {
      return { ok: false, code: 'RESOURCES', message: need, never: true };
    }
    const r = this.current();
    const groups = this.core.groups;
    const shard = this.core.index.find(
      need,
      (s) =>
        freePorts(s.host) >= need.ports &&
        allowsStatic(s.host, need) &&
        allowsGroup(s.host, need, groups) &&
        (r === null || respects(r, need, s, this.now)),
    );
    return shard !== null ? this.place(shard, need) : this.notPlaced(need);
  }

  reservation(): ReservationView | null {
    const r = this.current();
    if (r === null) return null;
    return { jobId: r.need.request.id, host: r.host.name, shard: r.shard.id, startAt: r.startAt };
  }

  /** The reservation, computed again on the new hosts if hosts changed since it was taken. */
  private current(): Reservation | null {
    const core = this.core;
    if (this.held !== null && this.generation !== core.generation) {
      this.held = reserve(core.hosts.values(), core.live, core.groups, this.held.need, this.now);
    }
    this.generation = core.generation;
    return this.held;
  }

  private place(shard: ShardState, need: Need): ConsiderResult {
    const coreIds = pickCores(shard, need.cores);
    const placement: Placement = {
      host: shard.host.name,
      shard: shard.id,
      cpus: formatCpuset(coreIds),
      mems: shard.mems,
      gpus: lowestFree(shard.gpus, shard.gpuFree, need.gpus),
      ports: pickPorts(shard.host, need.ports),
    };
    if (this.held !== null) chargeExtra(this.held, need, shard, this.now);
    const allocation = allocationFor(need, placement, coreIds, this.now);
    this.core.commit(allocation);
    if (this.held?.need.request.id === need.request.id) this.held = null;
    return { ok: true, placement: allocation.placement };
  }

  /** Why the job is not placed: never, held back for the reservation, constraints, resources. */
  private notPlaced(need: Need): ConsiderResult {
    const core = this.core;
    const never = neverFits(core.hosts.values(), need);
    if (never !== null) return { ok: false, ...never, never: true };
    const withPorts = (s: ShardState) => freePorts(s.host) >= need.ports;
    const r = this.held;
    const allowed = (s: ShardState) =>
      withPorts(s) && allowsStatic(s.host, need) && allowsGroup(s.host, need, core.groups);
    if (r !== null && core.index.find(need, allowed) !== null) {
      const where = `${r.host.name}/${r.shard.id} from ${iso(r.startAt)}`;
      const message = `held back for job ${r.need.request.id} (reserved ${where}): it would still be running then`;
      return { ok: false, code: 'PRIORITY', message };
    }
    // CONSTRAINT when room exists but only where the job's rules forbid it; else RESOURCES.
    const room = core.index.find(need, withPorts);
    let message =
      room !== null
        ? `${describeNeed(need)} are free on ${room.host.name}/${room.id}, but ${whyNotOn(room.host, need, core.groups)}`
        : core.hosts.size === 0
          ? 'no hosts are registered'
          : `no shard it may use has ${describeNeed(need)} free`;
    if (r === null) {
      this.held = reserve(core.hosts.values(), core.live, core.groups, need, this.now);
      if (this.held !== null) {
        const { host, shard, startAt } = this.held;
        message += `; reserved ${host.name}/${shard.id} from ${iso(startAt)}`;
      }
    }
    return { ok: false, code: room !== null ? 'CONSTRAINT' : 'RESOURCES', message };
  }
}

/** Starts a pass at `now` (epoch ms) over the cluster's current state. */
export function createPass(core: ClusterCore, now: number): SchedulingPass {
  return new Pass(core, now);
}
