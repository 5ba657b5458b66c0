/**
 * Submission: validate every job, take room on the pending counters (per user and overall, one
 * Lua script, all or nothing), insert atomically, then wake the scheduler. The counters count
 * tasks: a job array of N tasks takes N (see `pendingTasksOf`), so an array cannot get round the
 * limits. A failure after the counters were taken gives the room back; the scheduler leader also
 * rewrites the counters from the store, so a crash between the two cannot leave them wrong for long.
 */
import {
  EVENTS,
  GodError,
  ValidationError,
  fieldIssues,
  grantMounts,
  jobLimitIssues,
  JobSubmissionSchema,
  mayViewJob,
  sameLogin,
  newJobFromSubmission,
  type Config,
  type FieldIssue,
  type Job,
  type JobSubmission,
  type JobUser,
} from '@god/core';
import { counterNames, type Counters, type EventPublisher } from '@god/coord';
import type { Store } from '@god/store';

/** What submission needs. */
export interface SubmitDeps {
  store: Store;
  counters: Counters;
  publisher: EventPublisher;
  /** Pending-job limits and the largest job (`limits.job`). */
  limits: Config['limits'];
  /** The placement constraints users may name in `requirements.label`. */
  constraints: Config['constraints'];
  /**
   * Executors this cluster runs jobs on, which `requirements.executor` may name; none given:
   * a job may not name one. A job naming an executor nothing runs would wait forever.
   */
  executors?: readonly string[];
  /** The volumes jobs may ask for and who may run as root. */
  access: Pick<Config, 'volumes' | 'security'>;
  /** What a job gets when it does not say (`defaults.image`, `cpu`, `ram`). */
  defaults?: Config['defaults'];
  /** `auth.share_project_tasks`: whether project members see (and may depend on) each other's jobs. */
  shareProjectTasks?: boolean;
  now?: () => number;
}

/**
 * Who submits: the identity authentication established, with the home volumes expand, and
 * whether an administrator (who may depend on any job).
 */
export type Submitter = Omit<JobUser, 'project'> & { home: string | null; admin?: boolean };

/** Most jobs in one bulk submission. */
export const MAX_BULK = 10_000;

/** Thrown when a submission would pass a pending-tasks limit; nothing was written. */
export class LimitExceededError extends GodError {
  constructor(
    readonly limit: 'max_pending_per_user' | 'max_pending',
    readonly max: number,
    readonly current: number,
    readonly adding: number,
  ) {
    super(
      'LIMIT_EXCEEDED',
      `limits.${limit} is ${max} tasks: ${current} are already pending and this submission adds ${adding}`,
      { retryable: true },
    );
  }
}

/** The tasks a submitted job puts on the pending counters: 1, or the task count of an array. */
export function pendingTasksOf(sub: Pick<JobSubmission, 'requirements'>): number {
  return sub.requirements.array?.count ?? 1;
}

/**
 * Submits jobs for `owner` (identity from authentication): all are accepted or none is.
 * Throws ValidationError naming every bad field (`jobs[3].requirements.cpu` in a bulk) or
 * LimitExceededError; returns the stored jobs in order.
 */
export async function submitJobs(
  deps: SubmitDeps,
  owner: Submitter,
  inputs: readonly unknown[],
): Promise<Job[]> {
  if (inputs.length === 0)
    throw new ValidationError('invalid submission', [{ path: 'jobs', message: 'no job given' }]);
  if (inputs.length > MAX_BULK)
    throw new ValidationError('invalid submission', [
      { path: 'jobs', message: `at most ${MAX_BULK} jobs at once` },
    ]);
  const subs = validateAll(
    deps.defaults === undefined ? inputs : inputs.map((i) => withDefaults(i, deps.defaults!)),
    deps,
  );
  checkAccess(deps.access, owner, subs);
  checkArrays(deps.limits.max_array_tasks, subs);
  await checkDependencies(deps, owner, subs);
  const n = subs.reduce((sum, s) => sum + pendingTasksOf(s), 0);
  const names = [counterNames.pendingOfUser(owner.id), counterNames.pending()];
  const taken = await deps.counters.incrAllWithin(
    [
      { name: names[0]!, max: deps.limits.max_pending_per_user },
      { name: names[1]!, max: deps.limits.max_pending },
    ],
    n,
  );
  if (!taken.ok) {
    const limit = taken.blockedBy === names[0] ? 'max_pending_per_user' : 'max_pending';
    throw new LimitExceededError(limit, taken.max, taken.value, n);
  }
  let jobs: Job[];
  try {
    const now = (deps.now ?? Date.now)();
    const user = { id: owner.id, uid: owner.uid, gid: owner.gid, sgids: owner.sgids };
    jobs = await deps.store.insertJobs(subs.map((s) => newJobFromSubmission(s, user, now)));
  } catch (err) {
    await Promise.all(names.map((name) => deps.counters.decr(name, n)));
    throw err;
  }
  // The jobs are stored: a lost event only delays them until the scheduler's next tick.
  await deps.publisher
    .publishMany(
      EVENTS.submitted,
      jobs.map((j) => ({ jobId: j.id })),
    )
    .catch(() => undefined); // the jobs are stored: a lost event only waits for the next tick
  return jobs;
}

/** Refuses volumes and root the owner was not granted, naming each field; nothing is written. */
function checkAccess(
  access: SubmitDeps['access'],
  owner: Submitter,
  subs: readonly JobSubmission[],
): void {
  const issues: FieldIssue[] = [];
  subs.forEach((sub, i) => {
    try {
      grantMounts(access, { ...owner, project: sub.project }, sub.container);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const issue of err.issues)
        issues.push(subs.length === 1 ? issue : { ...issue, path: `jobs[${i}].${issue.path}` });
    }
  });
  if (issues.length > 0) throw new ValidationError('invalid job', issues);
}

/** Refuses arrays of more than `limits.max_array_tasks` tasks, naming each field. */
function checkArrays(max: number, subs: readonly JobSubmission[]): void {
  const issues: FieldIssue[] = [];
  subs.forEach((sub, i) => {
    const count = sub.requirements.array?.count ?? 0;
    if (count > max)
      issues.push({
        path: `${subs.length === 1 ? '' : `jobs[${i}].`}requirements.array`,
        message: `an array has at most ${max} tasks here (limits.max_array_tasks); this one has ${count}`,
      });
  });
  if (issues.length > 0) throw new ValidationError('invalid job', issues);
}

/**
 * Refuses dependencies on jobs the owner may not see with exactly the answer a job that does not
 * exist gets (same path, same message, the same store reads), so a dependency never tells
 * whether another user's job exists, nor its state or outcome.
 */
async function checkDependencies(
  deps: SubmitDeps,
  owner: Submitter,
  subs: readonly JobSubmission[],
): Promise<void> {
  const ids = new Set(subs.flatMap((s) => s.requirements.tasks.map((t) => t.id)));
  if (ids.size === 0) return;
  const viewer = { id: owner.id, admin: owner.admin === true };
  const share = deps.shareProjectTasks === true;
  // Read memberships whether or not a dependency needs them: the answer's timing must not
  // depend on whether the job exists.
  const memberOf =
    share && !viewer.admin
      ? new Set(
          (await deps.store.listProjects())
            .filter((p) => p.members.some((m) => sameLogin(m, owner.id)))
            .map((p) => p.id),
        )
      : new Set<string>();
  const seen = new Map<number, boolean>();
  for (const id of ids) {
    const job = await deps.store.getJob(id);
    seen.set(id, job !== null && mayViewJob(viewer, job, share, (_u, p) => memberOf.has(p)));
  }
  const issues: FieldIssue[] = [];
  subs.forEach((sub, i) =>
    sub.requirements.tasks.forEach((t, k) => {
      if (seen.get(t.id) === true) return;
      const path = `requirements.tasks[${k}]`;
      issues.push({
        path: subs.length === 1 ? path : `jobs[${i}].${path}`,
        message: `job ${t.id} does not exist`,
      });
    }),
  );
  if (issues.length > 0) throw new ValidationError('invalid job', issues);
}

/** `input` with the configured image, cores and RAM where it names none (anything else as is). */
function withDefaults(input: unknown, d: Config['defaults']): unknown {
  if (!isRecord(input)) return input;
  const container = input['container'] ?? {};
  const requirements = input['requirements'] ?? {};
  if (!isRecord(container) || !isRecord(requirements)) return input;
  return {
    ...input,
    container: { ...container, image: container['image'] ?? d.image },
    requirements: {
      ...requirements,
      cpu: requirements['cpu'] ?? d.cpu,
      // The default is in bytes already: `B` says so to the parser (a bare number means GB).
      ram: requirements['ram'] ?? `${d.ram}B`,
    },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates every input, then holds it to the configured maxima and constraints; one
 * ValidationError lists the problems of all of them.
 */
function validateAll(
  inputs: readonly unknown[],
  deps: Pick<SubmitDeps, 'limits' | 'constraints' | 'executors'>,
): JobSubmission[] {
  const issues: FieldIssue[] = [];
  const out: JobSubmission[] = [];
  inputs.forEach((input, i) => {
    const r = JobSubmissionSchema.safeParse(input);
    const found = r.success
      ? [
          ...jobLimitIssues(r.data.requirements, deps.limits.job, deps.constraints),
          ...executorIssues(r.data.requirements.executor, deps.executors ?? []),
        ]
      : fieldIssues(r.error);
    if (r.success && found.length === 0) out.push(r.data);
    for (const issue of found)
      issues.push(
        inputs.length === 1
          ? issue
          : { ...issue, path: `jobs[${i}]${issue.path ? `.${issue.path}` : ''}` },
      );
  });
  if (issues.length > 0) throw new ValidationError('invalid job', issues);
  return out;
}

/** Refuses an executor the cluster does not run (god would accept the job and never run it). */
function executorIssues(asked: string | null, executors: readonly string[]): FieldIssue[] {
  if (asked === null || executors.includes(asked)) return [];
  const known =
    executors.length === 0 ? 'none may be named' : `this cluster runs ${executors.join(', ')}`;
  return [{ path: 'requirements.executor', message: `${asked} is not an executor here: ${known}` }];
}
