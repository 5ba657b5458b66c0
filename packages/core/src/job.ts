/**
 * The job document. Its shape follows GO-Docker's (`user`, `meta`, `requirements`, `container`,
 * `command`, `status`) so GO-Docker tools can read it; god's own fields (`state`, `outcome`,
 * `why`, `placement`, `epoch`, `usage`) sit beside them.
 */
import type { JobOutcome, JobState } from './job-state.js';

/** The owner of a job, as resolved by the auth plugin at submission. */
export interface JobUser {
  /** Login name. */
  id: string;
  uid: number;
  gid: number;
  /** Supplementary group ids. */
  sgids: number[];
  project: string;
}

/** Descriptive data; `name` and `tags` are searchable. */
export interface JobMeta {
  name: string;
  description: string;
  tags: string[];
}

/** Kinds of dependency on another job, as in Slurm's `--dependency`. */
export const DEPENDENCY_KINDS = ['afterok', 'afterany', 'afternotok'] as const;
export type DependencyKind = (typeof DEPENDENCY_KINDS)[number];

/** "Start me after job `id` ended" (`afterok`: with success; `afternotok`: without). */
export interface Dependency {
  id: number;
  kind: DependencyKind;
}

/** A job array `first..last` by `step`, at most `limit` tasks running at once (0 = no limit). */
export interface ArraySpec {
  /** The spec as the user wrote it (`1:9:3%2`). */
  spec: string;
  first: number;
  last: number;
  step: number;
  count: number;
  limit: number;
}

/** What the job needs to run: whole cores, bytes and seconds (see quantity.ts). */
export interface JobRequirements {
  cpu: number;
  /** Memory limit in bytes (an integer, at least MIN_RAM_BYTES). */
  ram: number;
  gpus: number;
  array: ArraySpec | null;
  /** Placement constraints `name==value` matched against host labels. */
  label: string[];
  /** Jobs this one waits for (GO-Docker's `requirements.tasks`). */
  tasks: Dependency[];
  /** Container ports to map to host ports. */
  ports: number[];
  /** Always null: god enforces no temporary storage limit, so none is accepted. */
  tmpstorage: null;
  /** Maximum run time in seconds; 0 means the configured default. */
  maxlifespan: number;
  /** Executor by name; null means the configured default. */
  executor: string | null;
  /** Co-location with the other jobs of a named group of the same user. */
  group: JobGroup | null;
}

/**
 * A placement group: `affinity` jobs go to the same host as the group's running jobs,
 * `anti-affinity` jobs never share a host with them.
 */
export interface JobGroup {
  name: string;
  policy: 'affinity' | 'anti-affinity';
}

/** A named volume from the configuration, mounted read-only or read-write. */
export interface VolumeRequest {
  name: string;
  acl: 'ro' | 'rw';
}

export interface JobContainer {
  image: string;
  volumes: VolumeRequest[];
  /** Run as root inside the container (only when the auth plugin allows it). */
  root: boolean;
}

export interface JobCommand {
  /** The script: run with its own shebang, or `/bin/sh` when it has none. */
  cmd: string;
  interactive: boolean;
}

/** Timestamps in epoch milliseconds; null until the job reaches that point. */
export interface JobDates {
  submitted: number;
  scheduled: number | null;
  started: number | null;
  ended: number | null;
  archived: number | null;
}

/** GO-Docker's status block, kept in step with `state` by the state machine. */
export interface JobStatus {
  primary: 'pending' | 'running' | 'over' | 'archived';
  secondary: string;
  /** Human reason for the last change (`killed by alice`, `exit code 2`, `dependency 12 failed`). */
  reason: string;
  exitcode: number | null;
  dates: JobDates;
}

/** Why a pending job is not running yet. */
export const PENDING_CODES = [
  'NEW',
  'HELD',
  'DEPENDENCY',
  'QUOTA',
  'PROJECT_LIMIT',
  'RESOURCES',
  'PRIORITY',
  'ARRAY_LIMIT',
  'CONSTRAINT',
  'MAINTENANCE',
] as const;
export type PendingCode = (typeof PENDING_CODES)[number];

export interface PendingWhy {
  code: PendingCode;
  message: string;
}

/** Where the scheduler placed the job: a host, one NUMA shard on it, and the exact cores. */
export interface Placement {
  host: string;
  shard: string;
  /** Cores as a cpuset list (`4-7,12`). */
  cpus: string;
  /** NUMA memory nodes as a cpuset list. */
  mems: string;
  gpus: number[];
  ports: number[];
}

/** Measured resource use, charged to the usage ledger at the end. */
export interface JobUsage {
  cpuSeconds: number;
  ramGBSeconds: number;
  gpuSeconds: number;
  wallSeconds: number;
  maxRamBytes: number;
}

/** A stored job. */
export interface Job {
  id: number;
  state: JobState;
  /** Set when the job is `over` (and kept when archived). */
  outcome: JobOutcome | null;
  user: JobUser;
  meta: JobMeta;
  requirements: JobRequirements;
  container: JobContainer;
  command: JobCommand;
  /** Extra environment variables for the script (never secrets: they are visible in the job). */
  env: Record<string, string>;
  /** For an array task: the array job's id; null otherwise. */
  parent: number | null;
  /** For an array task: its task id (`GODOCKER_TASK_ID`); null otherwise. */
  taskId: number | null;
  status: JobStatus;
  why: PendingWhy | null;
  placement: Placement | null;
  /** Fencing epoch of the scheduler leader that last placed the job (0: never placed). */
  epoch: number;
  /** How many times the job was placed. */
  attempts: number;
  usage: JobUsage | null;
}

/** A job as handed to `Store.insertJobs`: everything but what the store assigns. */
export type NewJob = Omit<
  Job,
  'id' | 'state' | 'outcome' | 'status' | 'epoch' | 'attempts' | 'usage' | 'placement'
> & {
  /** `held` when submitted with hold, else `pending`. */
  state: 'pending' | 'held';
  submitted?: number;
};
