/**
 * Job builders for tests and benchmarks: every field filled with a plain default (alice, one
 * core, 1 GiB, busybox running `true`), nested parts overridable one field at a time.
 */
import type {
  Job,
  JobCommand,
  JobContainer,
  JobMeta,
  JobRequirements,
  JobStatus,
  JobUser,
  NewJob,
  Placement,
  QueuedJob,
} from '@god/core';

/** The nested parts of a job a builder merges field by field. */
interface NestedOverrides {
  user?: Partial<JobUser>;
  meta?: Partial<JobMeta>;
  requirements?: Partial<JobRequirements>;
  container?: Partial<JobContainer>;
  command?: Partial<JobCommand>;
}

/** Overrides for `makeNewJob`: top-level fields replace, nested parts merge. */
export type NewJobOverrides = Partial<Omit<NewJob, keyof NestedOverrides>> & NestedOverrides;

/** Overrides for `makeJob`: top-level fields replace, nested parts (and status) merge. */
export type JobOverrides = Partial<Omit<Job, keyof NestedOverrides | 'status'>> &
  NestedOverrides & { status?: Partial<JobStatus> };

/** The user every builder defaults to. */
export const ALICE: JobUser = { id: 'alice', uid: 1001, gid: 1001, sgids: [], project: 'default' };

/** Requirements of a plain job: one core, 1 GiB, nothing else. */
export function makeRequirements(over: Partial<JobRequirements> = {}): JobRequirements {
  return {
    cpu: 1,
    ram: 2 ** 30,
    gpus: 0,
    array: null,
    label: [],
    tasks: [],
    ports: [],
    tmpstorage: null,
    maxlifespan: 0,
    executor: null,
    group: null,
    ...over,
  };
}

/** The parts `NewJob` and `Job` share, defaults merged with `over`. */
function baseParts(over: NestedOverrides, name: string) {
  return {
    user: { ...ALICE, ...over.user },
    meta: { name, description: '', tags: [], ...over.meta },
    requirements: makeRequirements(over.requirements),
    container: { image: 'busybox', volumes: [], root: false, ...over.container },
    command: { cmd: 'true', interactive: false, ...over.command },
  };
}

/** A pending job as submitted (what `Store.insertJobs` takes). */
export function makeNewJob(over: NewJobOverrides = {}): NewJob {
  return {
    state: 'pending',
    env: {},
    parent: null,
    taskId: null,
    why: { code: 'NEW', message: 'waiting for the scheduler' },
    ...over,
    ...baseParts(over, over.meta?.name ?? 'job'),
  };
}

/** A placement on `host`/`shard` (one core, first NUMA node). */
export function makePlacement(host = 'fake-1', shard = 'numa0'): Placement {
  return { host, shard, cpus: '0', mems: '0', gpus: [], ports: [] };
}

/** A stored job `id`, by default scheduled on fake-1/numa0 by the leader of epoch 1. */
export function makeJob(id: number, over: JobOverrides = {}): Job {
  return {
    id,
    state: 'scheduled',
    outcome: null,
    env: {},
    parent: null,
    taskId: null,
    why: null,
    placement: makePlacement(),
    epoch: 1,
    attempts: 1,
    usage: null,
    ...over,
    ...baseParts(over, over.meta?.name ?? `job-${id}`),
    status: {
      primary: 'pending',
      secondary: 'scheduled',
      reason: '',
      exitcode: null,
      dates: { submitted: 0, scheduled: 0, started: null, ended: null, archived: null },
      ...over.status,
    },
  };
}

/** A job as a scheduling policy sees it: one core, 1 GiB, project `default`. */
export function makeQueuedJob(
  id: number,
  user: string,
  submitted: number,
  over: Partial<QueuedJob> = {},
): QueuedJob {
  return { id, user, project: 'default', submitted, cpu: 1, ram: 2 ** 30, gpus: 0, ...over };
}
