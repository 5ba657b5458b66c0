/**
 * The delegated placer: for an executor that places jobs itself (`Executor.placesJobs` false:
 * Swarm, Kubernetes, Mesos). It chooses no host or cores; it admits a job while the executor
 * has room for it, and the placement names the executor, whose own queue receives the job.
 *
 * Room is the smaller of two views: god's books (the declared capacity less every job god
 * handed it) and the executor's last report of its free capacity (which also counts the other
 * work an orchestrator runs) less the jobs handed to it since that report. A job larger than the
 * whole declared capacity can never run there and says so (`never`).
 */
import {
  DELEGATED_LABEL,
  DELEGATED_SHARD,
  type ExecutorCapacity,
  type HostInfo,
  type Placement,
  type ReportedCapacity,
} from '@god/core';
import type { ConsiderResult } from '../placement/index.js';
import type { SchedJob } from '../sched-job.js';
import type { Placer } from './placer.js';

/** What is known of a delegating executor's capacity before a pass. */
export interface DelegatedCapacity {
  /** The whole capacity it declares in the node registry. */
  declared: ExecutorCapacity;
  /** What it last reported free (null: it reports none; god's books alone then decide). */
  reported: ReportedCapacity | null;
}

/** A placed job as the capacity views need it. */
export type PlacedShare = Pick<SchedJob, 'cpu' | 'ram' | 'gpus'> & { since: number };

/**
 * A delegated placer for one pass: `free` is what `executor` has room for now (null: it is not
 * registered, so nothing is admitted), `whole` its declared capacity. Each admitted job takes
 * its share for the rest of the pass.
 */
export function createDelegatedPlacer(
  executor: string,
  free: ExecutorCapacity | null,
  whole: ExecutorCapacity | null = null,
): Placer {
  const left = free === null ? null : { ...free };
  return {
    kind: 'delegated',
    place(job: SchedJob): ConsiderResult {
      if (left === null) {
        const message = `executor ${executor} is not answering (no recent heartbeat)`;
        return { ok: false, code: 'RESOURCES', message };
      }
      const beyond = whole === null ? null : beyondWhole(whole, job);
      if (beyond !== null) {
        const message = `executor ${executor} has ${beyond}`;
        return { ok: false, code: 'RESOURCES', message, never: true };
      }
      const short = shortOf(left, job);
      if (short !== null) {
        const message = `executor ${executor} reports ${short}`;
        return { ok: false, code: 'RESOURCES', message };
      }
      left.cpu -= job.cpu;
      left.ram -= job.ram;
      left.gpus -= job.gpus;
      left.jobs -= 1;
      const placement: Placement = {
        host: executor,
        shard: DELEGATED_SHARD,
        cpus: '',
        mems: '',
        gpus: [],
        ports: [],
      };
      return { ok: true, placement };
    },
  };
}

/** What the job asks beyond the executor's whole capacity, in words, or null. */
function beyondWhole(whole: ExecutorCapacity, job: SchedJob): string | null {
  if (whole.cpu < job.cpu) return `${whole.cpu} cores in all, the job asks ${job.cpu}`;
  if (whole.ram < job.ram) return `${gb(whole.ram)} GB RAM in all, the job asks ${gb(job.ram)}`;
  if (whole.gpus < job.gpus) return `${whole.gpus} GPUs in all, the job asks ${job.gpus}`;
  return null;
}

/** What the executor lacks for the job, in words, or null when it has room. */
function shortOf(free: ExecutorCapacity, job: SchedJob): string | null {
  if (free.jobs < 1) return 'no room for more jobs';
  if (free.cpu < job.cpu) return `${free.cpu} cores free, the job asks ${job.cpu}`;
  if (free.ram < job.ram) return `${gb(free.ram)} GB RAM free, the job asks ${gb(job.ram)}`;
  if (free.gpus < job.gpus) return `${free.gpus} GPUs free, the job asks ${job.gpus}`;
  return null;
}

const gb = (bytes: number) => Math.round((bytes / 2 ** 30) * 10) / 10;

/** True for the registry entry of an executor that places jobs itself. */
export function isDelegatedHost(host: HostInfo): boolean {
  return host.labels[DELEGATED_LABEL] === 'true';
}

/** The capacity a delegating executor declares in its registry entry (no limit on job count). */
export function declaredCapacity(host: HostInfo): ExecutorCapacity {
  const sum = (f: (s: HostInfo['shards'][number]) => number) =>
    host.shards.reduce((n, s) => n + f(s), 0);
  return {
    cpu: sum((s) => s.cores.length),
    ram: sum((s) => s.ramGB) * 2 ** 30,
    gpus: sum((s) => s.gpus.length),
    jobs: Number.MAX_SAFE_INTEGER,
  };
}

/** What is left of `declared` once the jobs placed on the executor are taken off. */
export function freeCapacity(
  declared: ExecutorCapacity,
  placed: Iterable<Pick<SchedJob, 'cpu' | 'ram' | 'gpus'>>,
): ExecutorCapacity {
  const free = { cpu: declared.cpu, ram: declared.ram, gpus: declared.gpus, jobs: declared.jobs };
  for (const job of placed) {
    free.cpu -= job.cpu;
    free.ram -= job.ram;
    free.gpus -= job.gpus;
    free.jobs -= 1;
  }
  return free;
}

/**
 * The room of a delegating executor: its declared capacity less every placed job, bounded by
 * its last report less the jobs placed after that report (which it had not counted yet).
 */
export function roomOf(known: DelegatedCapacity, placed: readonly PlacedShare[]): ExecutorCapacity {
  const books = freeCapacity(known.declared, placed);
  const { reported } = known;
  if (reported === null) return books;
  const report = freeCapacity(
    reported,
    placed.filter((p) => p.since > reported.at),
  );
  return {
    cpu: Math.min(books.cpu, report.cpu),
    ram: Math.min(books.ram, report.ram),
    gpus: Math.min(books.gpus, report.gpus),
    jobs: Math.min(books.jobs, report.jobs),
  };
}
