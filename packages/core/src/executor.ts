/**
 * The executor contract (docker via agents, swarm, kubernetes, mesos, fake) and the resource
 * model of hosts that executors which let god place (docker, fake) register.
 * Optional abilities (suspend/resume) are separate interfaces with type guards.
 */
import type { Job, JobUsage } from './job.js';
import type { JobOutcome } from './job-state.js';
import type { Config } from './config.js';
import { GodError } from './errors.js';
import type { PluginContext, PluginDefinition } from './plugins.js';
import type { z } from 'zod';

/** One executor shard: the cores of one NUMA node of a host (or a configured group of cores). */
export interface ShardInfo {
  /** Unique within its host (`numa0`). */
  id: string;
  /** NUMA memory node(s) as a cpuset list (`0`). */
  mems: string;
  /** Core ids usable by jobs (one per physical core; hyperthread siblings stay with it). */
  cores: number[];
  /** GB of RAM usable by jobs on this shard. */
  ramGB: number;
  /** GPU indexes attached to this NUMA node. */
  gpus: number[];
}

/** A host that runs jobs: its shards, labels for constraints, and who it is reserved for. */
export interface HostInfo {
  name: string;
  labels: Record<string, string>;
  shards: ShardInfo[];
  /** When set, only these users / projects' jobs run here (GO-Docker's reserved nodes). */
  reservedFor: { users: string[]; projects: string[] } | null;
  /** Host port range for mapped container ports, inclusive. */
  portRange: [number, number] | null;
  /**
   * The free capacity an executor that places jobs itself reported at its last heartbeat, as
   * the node registry read it (absent: it reports none, or this is a host god places on).
   */
  free?: ReportedCapacity;
}

/** Capacity of an executor that places jobs itself (RAM in bytes, as jobs ask for it). */
export interface ExecutorCapacity {
  cpu: number;
  ram: number;
  gpus: number;
  /** More jobs it accepts now. */
  jobs: number;
}

/** Free capacity as reported, and when (epoch ms, the registry's clock). */
export interface ReportedCapacity extends ExecutorCapacity {
  at: number;
}

/** The end of a job's run, as reported by an executor. */
export interface ExitReport {
  jobId: number;
  /**
   * The attempt (the job's `attempts` when it started) this run was, when the executor knows it
   * (docker: a container label). A late end of an older run is then never booked on a newer one.
   */
  attempt?: number;
  outcome: Extract<JobOutcome, 'success' | 'failed' | 'killed' | 'lost'>;
  exitcode: number | null;
  reason: string;
  startedAt: number;
  endedAt: number;
  usage: JobUsage;
}

/** Receives the end of a run; a returned promise says when the end is safely handled. */
export type ExitListener = (report: ExitReport) => void | Promise<void>;

/** The result of asking an executor to start a placed job. */
export type StartResult =
  | { ok: true; startedAt: number }
  /** `retryable`: the job may be placed again (host busy, transient error); else it fails. */
  | { ok: false; retryable: boolean; reason: string };

/**
 * An executor that places jobs itself (`placesJobs` false) registers one entry for itself in
 * the node registry, named after it, with this label set to `true` and one shard whose cores,
 * RAM and GPUs declare its capacity; the scheduler hands it jobs placed on this shard id.
 */
export const DELEGATED_LABEL = 'god.delegated';

/** The shard of a placement the executor chooses itself: no cores, memory nodes or ports. */
export const DELEGATED_SHARD = 'delegated';

/** Runs placed jobs and reports their ends. */
export interface Executor {
  readonly name: string;
  /**
   * True when god places jobs on this executor's hosts (docker, fake); false when the executor
   * places them itself (orchestrators; the fake with `delegated`) and registers its capacity.
   */
  readonly placesJobs: boolean;
  /** Hosts and shards jobs can be placed on (for executors that let god place). */
  hosts(): Promise<HostInfo[]>;
  /** Starts a job that the scheduler moved to `scheduled`. */
  start(job: Job): Promise<StartResult>;
  /** Stops a job; its end is reported through `onExit` with outcome `killed`. */
  kill(jobId: number, reason: string): Promise<void>;
  /**
   * Subscribes to job ends; returns the unsubscribe function. A listener may return a promise:
   * executors that keep an end until it is handled (docker) clean up only once every listener's
   * promise resolved, and report the end again later if one rejected.
   */
  onExit(listener: ExitListener): () => void;
  close(): Promise<void>;
}

/** An executor that can pause and unpause running jobs. */
export interface SuspendableExecutor extends Executor {
  suspend(jobId: number): Promise<void>;
  resume(jobId: number): Promise<void>;
}

/** True when the executor can suspend and resume. */
export function isSuspendable(e: Executor): e is SuspendableExecutor {
  const s = e as Partial<SuspendableExecutor>;
  return typeof s.suspend === 'function' && typeof s.resume === 'function';
}

/**
 * An executor that places jobs itself and knows what its cluster has free now (an orchestrator
 * also runs other work): its agent reports this with every heartbeat, and the scheduler admits
 * jobs against it rather than against the declared capacity alone.
 */
export interface CapacityReportingExecutor extends Executor {
  /** Free capacity now, counting every job it runs or has queued. */
  capacity(): Promise<ExecutorCapacity>;
}

/** True when the executor reports its free capacity. */
export function reportsCapacity(e: Executor): e is CapacityReportingExecutor {
  return !e.placesJobs && typeof (e as Partial<CapacityReportingExecutor>).capacity === 'function';
}

/** A running job's measured usage now: CPU time so far, memory now and the most seen. */
export interface LiveUsage {
  cpuSeconds: number;
  /** Bytes, without page cache. */
  memBytes: number;
  peakMemBytes: number;
}

/** An executor that can measure its running jobs' usage while they run (live charts). */
export interface UsageSamplingExecutor extends Executor {
  /** The usage of `jobId` now; null when it does not run here (or its counters are gone). */
  usageNow(jobId: number): Promise<LiveUsage | null>;
}

/** True when the executor can measure running jobs' usage. */
export function samplesUsage(e: Executor): e is UsageSamplingExecutor {
  return typeof (e as Partial<UsageSamplingExecutor>).usageNow === 'function';
}

/** A run an executor found still going when it (re)started: which job, attempt and epoch. */
export interface RecoveredRun {
  jobId: number;
  attempt: number;
  epoch: number;
}

/** An executor whose runs outlive it (docker containers) and can be found again after a restart. */
export interface RecoverableExecutor extends Executor {
  /**
   * Lists this executor's runs on its host: the running ones are returned; those that ended
   * meanwhile are reported through `onExit` (so subscribe first).
   */
  recover(): Promise<{ running: RecoveredRun[] }>;
}

/** True when the executor can find its runs again after a restart. */
export function isRecoverable(e: Executor): e is RecoverableExecutor {
  return typeof (e as Partial<RecoverableExecutor>).recover === 'function';
}

/** A host path granted to a job, and where it appears in the container. */
export interface ResolvedMount {
  /** The configured volume's name (`home`, `db`), or `task` for the task directory. */
  name: string;
  /** Absolute, normalised host path. */
  source: string;
  /** Absolute path in the container. */
  target: string;
  readOnly: boolean;
}

/** The host an agent runs on, as its topology detection found it. */
export interface HostModel {
  info: HostInfo;
  /**
   * The cpuset for a placement's cores (`Placement.cpus` lists one id per physical core): the
   * same cores with all their hyperthreads.
   */
  cpuset: (cores: string) => string;
}

/** What an executor gets besides its own settings. */
export interface ExecutorContext extends PluginContext {
  /** god's resolved configuration (task directories, defaults). */
  config: Config;
  /** This host, for executors that run on one (docker); from the agent's topology detection. */
  host?: HostModel;
  /**
   * The host paths `job` may mount, as granted by the configuration and the auth plugin.
   * Rejects with a ValidationError naming the refused request.
   */
  resolveMounts?(job: Job): Promise<ResolvedMount[]>;
}

/** An executor plugin definition. */
export type ExecutorDefinition<S extends z.ZodType = z.ZodType> = PluginDefinition<
  'executor',
  S,
  Executor,
  ExecutorContext
>;

/** Where a job's task directory lives on the hosts: `<shared_dir>/<user>/<job id>`. */
export function taskDirOf(sharedDir: string, job: Pick<Job, 'id' | 'user'>): string {
  // Login names are checked at account creation; this keeps a bad one from leaving shared_dir.
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(job.user.id))
    throw new GodError(
      'INVALID_INPUT',
      `user name ${JSON.stringify(job.user.id)} cannot name a directory`,
    );
  return `${sharedDir.replace(/\/+$/, '')}/${job.user.id}/${job.id}`;
}

/** Where the task directory is mounted in the container (`GODOCKER_PWD`). */
export const TASK_MOUNT = '/mnt/god-data';
