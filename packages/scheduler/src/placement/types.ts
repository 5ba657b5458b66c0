/**
 * Public types of the placement engine: what the scheduler asks (`PlacementRequest`), what it
 * gets back (`ConsiderResult`), and the read-only views it can show (free capacity, stranded jobs).
 */
import type { Job, JobGroup, PendingCode, Placement } from '@god/core';

/** What placement needs to know of a job. RAM in GB, `maxlifespan` in seconds (0: the default). */
export interface PlacementRequest {
  id: number;
  user: string;
  project: string;
  cpu: number;
  /** Bytes. */
  ram: number;
  gpus: number;
  /** Container ports; each gets its own host port from the host's pool. */
  ports: readonly number[];
  /** Constraints `name==value`, all of which must match the host's labels. */
  label: readonly string[];
  group: JobGroup | null;
  maxlifespan: number;
}

/** The placement request of a stored job. */
export function placementRequestOf(job: Job): PlacementRequest {
  const r = job.requirements;
  return {
    id: job.id,
    user: job.user.id,
    project: job.user.project,
    cpu: r.cpu,
    ram: r.ram,
    gpus: r.gpus,
    ports: r.ports,
    label: r.label,
    group: r.group,
    maxlifespan: r.maxlifespan,
  };
}

/** Tuning of the placement engine. */
export interface ClusterOptions {
  /** Expected run time (s) of jobs whose `maxlifespan` is 0; used for backfill reservations. */
  defaultMaxLifespan: number;
}

/** Seven days, GO-Docker's usual max lifespan. */
export const DEFAULT_MAX_LIFESPAN_SECONDS = 7 * 24 * 3600;

/** Why a job was not placed: a pending code the scheduler can show as is. */
export type NotPlacedCode = Extract<PendingCode, 'RESOURCES' | 'CONSTRAINT' | 'PRIORITY'>;

/** The outcome of considering one job in a pass. On `ok` the allocation is already committed. */
export type ConsiderResult =
  | { ok: true; placement: Placement }
  | {
      ok: false;
      code: NotPlacedCode;
      message: string;
      /** True when the job cannot run on the current hosts even if they were all idle. */
      never?: boolean;
    };

/** The backfill reservation of a pass: where and from when the pass's head job will fit. */
export interface ReservationView {
  jobId: number;
  host: string;
  shard: string;
  /** Epoch ms. */
  startAt: number;
}

/** One scheduling pass: candidates are considered best first; see README.md for the rule. */
export interface SchedulingPass {
  /** Epoch ms the pass was started at. */
  readonly now: number;
  /** Places the job now if it fits without delaying the pass's reservation. */
  consider(request: PlacementRequest): ConsiderResult;
  /** The reservation taken by the first candidate that did not fit, if any. */
  reservation(): ReservationView | null;
}

/** A job whose allocation cannot be held on the current hosts (host gone or reshaped). */
export interface StrandedJob {
  jobId: number;
  placement: Placement;
  reason: string;
}

/** A host left out of the cluster because its description is inconsistent. */
export interface HostProblem {
  host: string;
  message: string;
}

/** The outcome of restoring an already placed job. */
export type RestoreResult = { ok: true; stranded: boolean } | { ok: false; message: string };

/** Total and free amount of one resource. */
export interface Amount {
  total: number;
  free: number;
}

/** Capacity of one shard. */
export interface ShardFree {
  id: string;
  cores: Amount;
  ramGB: Amount;
  gpus: Amount;
}

/** Capacity of one host. */
export interface HostFree {
  name: string;
  shards: ShardFree[];
  ports: Amount;
  jobs: number;
}

/** Free capacity of the whole cluster, for metrics and why-pending. */
export interface FreeSummary {
  cores: Amount;
  ramGB: Amount;
  gpus: Amount;
  ports: Amount;
  jobs: number;
  stranded: number;
  hosts: HostFree[];
}
