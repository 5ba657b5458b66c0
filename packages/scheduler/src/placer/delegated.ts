/**
 * The delegated placer: for an executor that places jobs itself (`Executor.placesJobs` false:
 * Swarm, Kubernetes, Mesos). It chooses no host or cores; it admits a job while the capacity
 * the executor last reported has room for it, and the placement names the executor, whose own
 * queue receives the job.
 */
import { DELEGATED_LABEL, DELEGATED_SHARD, type HostInfo, type Placement } from '@god/core';
import type { ConsiderResult } from '../placement/index.js';
import type { SchedJob } from '../sched-job.js';
import type { Placer } from './placer.js';

/** Free capacity an executor reports (RAM in bytes, as jobs ask for it). */
export interface ExecutorCapacity {
  cpu: number;
  ram: number;
  gpus: number;
  /** More jobs it accepts now. */
  jobs: number;
}

/**
 * A delegated placer for one pass: `capacity` is what `executor` reported (null: it reported
 * nothing yet, so nothing is admitted). Each admitted job takes its share for the rest of the pass.
 */
export function createDelegatedPlacer(executor: string, capacity: ExecutorCapacity | null): Placer {
  const free = capacity === null ? null : { ...capacity };
  return {
    kind: 'delegated',
    place(job: SchedJob): ConsiderResult {
      if (free === null) {
        const message = `executor ${executor} has not reported its free capacity yet`;
        return { ok: false, code: 'RESOURCES', message };
      }
      const short = shortOf(free, job);
      if (short !== null) {
        const message = `executor ${executor} reports ${short}`;
        return { ok: false, code: 'RESOURCES', message };
      }
      free.cpu -= job.cpu;
      free.ram -= job.ram;
      free.gpus -= job.gpus;
      free.jobs -= 1;
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
  const free = { ...declared };
  for (const job of placed) {
    free.cpu -= job.cpu;
    free.ram -= job.ram;
    free.gpus -= job.gpus;
    free.jobs -= 1;
  }
  return free;
}
