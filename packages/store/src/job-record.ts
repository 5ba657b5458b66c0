/**
 * What every adapter shares about job records: how a `NewJob` becomes a stored `Job`, the
 * checks made before anything is written, and the in-memory form of a `JobFilter`.
 */
import {
  ACTIVE_STATES,
  BYTES_PER_GB,
  JOB_STATES,
  MIN_RAM_BYTES,
  ValidationError,
  goDockerStatus,
  isFinished,
  type FieldIssue,
  type Job,
  type JobState,
  type NewJob,
} from '@god/core';
import { MAX_NAME_QUERY, type JobFilter, type TransitionOptions } from './store.js';

/**
 * A job as read from either adapter, in today's units. Jobs stored before `requirements.ram`
 * became whole bytes hold a number of GB there; no byte count is that small (jobs ask for at
 * least MIN_RAM_BYTES), so such a value is read as GB and converted. A value that converts to
 * less than the minimum (GO-Docker-era `1e-300`) stays too small, and the executor refuses to
 * run the job rather than run it without a memory limit. Every read converts (SQLite also
 * stores the bytes at the job's next write, which rewrites its document).
 */
export function upgradeStoredJob(job: Job): Job {
  const ram: unknown = job.requirements.ram;
  if (typeof ram === 'number' && ram > 0 && ram < MIN_RAM_BYTES)
    job.requirements.ram = Math.round(ram * BYTES_PER_GB);
  return job;
}

/**
 * The stored form of a new job with its allocated id: status, dates and counters start from
 * the initial state. Nested objects are the caller's; adapters serialize them, never keep them.
 */
export function newJobRecord(job: NewJob, id: number, now: number): Job {
  const { submitted, state, ...rest } = job;
  const status = goDockerStatus(state, null);
  return {
    ...rest,
    id,
    state,
    outcome: null,
    status: {
      primary: status.primary,
      secondary: status.secondary,
      reason: '',
      exitcode: null,
      dates: {
        submitted: submitted ?? now,
        scheduled: null,
        started: null,
        ended: null,
        archived: null,
      },
    },
    placement: null,
    epoch: 0,
    attempts: 0,
    usage: null,
  };
}

/**
 * Refuses a batch before any write when a job does not start in an initial state: `insertJobs`
 * is one of the two writers of `state`, and only `pending` / `held` are valid there.
 */
export function checkNewJobs(jobs: readonly NewJob[]): void {
  const issues: FieldIssue[] = [];
  jobs.forEach((job, i) => {
    const state: unknown = job.state;
    if (state !== 'pending' && state !== 'held') {
      issues.push({ path: `[${i}].state`, message: 'a new job is pending or held' });
    }
  });
  if (issues.length > 0) throw new ValidationError('invalid jobs', issues);
}

/** The states a filter asks for, split by where they are kept. */
export interface StateSplit {
  active: JobState[];
  finished: JobState[];
}

/** Splits the filter's states between the active and the finished table (all when unset). */
export function splitStates(state: JobFilter['state']): StateSplit {
  const wanted: readonly JobState[] =
    state === undefined ? JOB_STATES : typeof state === 'string' ? [state] : state;
  const unique = [...new Set(wanted)];
  const unknown = unique.filter((s) => !JOB_STATES.includes(s));
  if (unknown.length > 0) {
    throw new ValidationError('invalid filter', [
      { path: 'state', message: `unknown state ${unknown.map(String).join(', ')}` },
    ]);
  }
  return {
    active: unique.filter((s) => ACTIVE_STATES.includes(s)),
    finished: unique.filter((s) => isFinished(s)),
  };
}

/** Merges two lists in the order `first` defines (no job in both) and keeps the first `n`. */
export function mergeOrdered(
  a: readonly Job[],
  b: readonly Job[],
  n: number,
  first: (x: Job, y: Job) => boolean,
): Job[] {
  const out: Job[] = [];
  let i = 0;
  let j = 0;
  while (out.length < n) {
    const x = a[i];
    const y = b[j];
    if (x === undefined && y === undefined) break;
    if (y === undefined || (x !== undefined && first(x, y))) {
      out.push(x as Job);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

/** True when the job's attempts and epoch are those `expect` names (if any). */
export function matchesExpect(job: Job, expect: TransitionOptions['expect']): boolean {
  if (expect === undefined) return true;
  if (expect.attempts !== undefined && job.attempts !== expect.attempts) return false;
  return expect.epoch === undefined || job.epoch === expect.epoch;
}

/**
 * Refuses bad values of the filter fields the web passes through from users (dates, name
 * query), naming each; the other fields are typed by the callers.
 */
export function checkFilter(filter: JobFilter): void {
  const issues: FieldIssue[] = [];
  for (const key of ['submittedAfter', 'submittedBefore'] as const) {
    const v: unknown = filter[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v)))
      issues.push({ path: key, message: 'must be a whole number of epoch ms' });
  }
  const q: unknown = filter.nameContains;
  if (q !== undefined && (typeof q !== 'string' || q.length > MAX_NAME_QUERY))
    issues.push({ path: 'nameContains', message: `text of at most ${MAX_NAME_QUERY} characters` });
  if (issues.length > 0) throw new ValidationError('invalid filter', issues);
}

/** `text` as a LIKE pattern matching it anywhere, its wildcards escaped with a backslash. */
export function containsLike(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** `text` as a regular expression matching it literally. */
export function literalRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
