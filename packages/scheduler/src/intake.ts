/**
 * Admission of pending and held jobs into the leader's state: held and dependency-blocked jobs
 * wait aside, a dependency that can never be met or a quota reached ends the job, anything else
 * joins the policy's queue (an array's tasks do, a window at a time).
 */
import { isAdministrator, mayViewJob, sameLogin, type Job } from '@god/core';
import { checkDependencies, type DepView } from './admission.js';
import type { Accounts } from './accounts.js';
import type { ArrayTracker } from './array-tracker.js';
import type { EndJob, Term } from './leader-deps.js';
import type { Quotas } from './quotas.js';
import { isArrayJob, schedJobOf, type SchedJob } from './sched-job.js';
import type { WhyLog } from './why-log.js';

/** What admission needs of the rest of the term. */
export interface IntakeDeps {
  term: Term;
  accounts: Accounts;
  quotas: Pick<Quotas, 'check'>;
  arrays: Pick<ArrayTracker, 'progressOf' | 'topUp'>;
  why: WhyLog;
  end: EndJob;
  /** Wakes the pass loop (a job joined the queue). */
  poke(): void;
}

/** Admits jobs into one leader term's state. */
export class Intake {
  constructor(private readonly d: IntakeDeps) {}

  /**
   * Admits a pending or held job: held and dependency-blocked jobs wait aside, a dependency that
   * can never be met or a quota reached ends the job, anything else joins the policy's queue.
   */
  async admit(job: Job): Promise<void> {
    if (job.state !== 'pending' && job.state !== 'held') return;
    const { state } = this.d.term;
    const sj = schedJobOf(job);
    // Known from the start, held or waiting too: the counters weigh an array by its progress.
    const array = isArrayJob(job) ? this.d.arrays.progressOf(job) : undefined;
    if (job.state === 'held') {
      state.block(sj);
      return;
    }
    const deps = await this.checkDeps(sj);
    if (deps.kind === 'never')
      return void (await this.d.end(job.id, 'pending', 'rejected', deps.reason));
    if (deps.kind === 'wait') {
      state.block(sj, deps.on);
      this.d.why.set(sj, {
        code: 'DEPENDENCY',
        message: `waiting for job${deps.on.length > 1 ? 's' : ''} ${deps.on.join(', ')} to end`,
      });
      return;
    }
    const quota = await this.d.quotas.check(sj);
    if (quota !== null) return void (await this.d.end(job.id, 'pending', 'quota', quota));
    if (array !== undefined) {
      // The array itself never queues: its tasks do, a window at a time.
      state.pending.set(sj.id, sj);
      state.blocked.add(sj.id);
      await this.d.arrays.topUp(array);
      return;
    }
    state.enqueue(sj);
    this.d.poke();
  }

  /**
   * The verdict on a job's dependencies. A dependency on a job its owner may not see (today:
   * memberships change) is treated exactly as one on a job that does not exist.
   */
  private async checkDeps(job: SchedJob): Promise<ReturnType<typeof checkDependencies>> {
    if (job.deps.length === 0) return { kind: 'met' };
    const { deps, state } = this.d.term;
    const { users, projects } = this.d.accounts;
    const { auth } = deps.config;
    const viewer = {
      id: job.user,
      admin: isAdministrator(auth.admins, job.user, users.get(job.user)),
    };
    const isMember = (user: string, project: string): boolean =>
      projects.get(project)?.members.some((m) => sameLogin(m, user)) === true;
    const views = new Map<number, DepView | null>();
    for (const d of job.deps) {
      let view = state.finished.get(d.id) ?? null;
      if (view === null) {
        const j = await deps.store.getJob(d.id);
        view =
          j === null
            ? null
            : {
                state: j.state,
                outcome: j.outcome,
                user: { id: j.user.id, project: j.user.project },
              };
      }
      const visible = view !== null && mayViewJob(viewer, view, auth.share_project_tasks, isMember);
      views.set(d.id, visible ? view : null);
    }
    return checkDependencies(job.deps, (id) => views.get(id) ?? null);
  }
}
