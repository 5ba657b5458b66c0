/**
 * Who may see and act on what. A job is visible to its owner, to administrators, and — when
 * `auth.share_project_tasks` is on — to the members of the job's project. A job the caller may
 * not see is answered exactly like a job that does not exist (404), so ids do not leak.
 */
import { jobVisibility, sameLogin, type Config, type Job, type JobViewer } from '@god/core';
import { findVisibleJob } from '@god/jobs';
import type { JobFilter, Store } from '@god/store';
import type { Principal } from './auth/principal.js';
import { HttpError } from './http/errors.js';

/** Project memberships, read from the store and kept for a few seconds. */
export interface Memberships {
  /** True when `user` is a member of `project`. */
  isMember(user: string, project: string): Promise<boolean>;
  /** Forgets what is cached (after a project changed). */
  clear(): void;
}

const MEMBERSHIP_TTL_MS = 5_000;

/** Creates the membership view over `store`. */
export function createMemberships(store: Store, now: () => number): Memberships {
  let cached: { at: number; members: Map<string, Set<string>> } | null = null;
  return {
    async isMember(user, project) {
      if (cached === null || now() - cached.at > MEMBERSHIP_TTL_MS) {
        const projects = await store.listProjects();
        // Lower-cased: logins are compared without case (sameLogin).
        const lower = (p: { members: string[] }) => new Set(p.members.map((m) => m.toLowerCase()));
        cached = { at: now(), members: new Map(projects.map((p) => [p.id, lower(p)])) };
      }
      return cached.members.get(project)?.has(user.toLowerCase()) === true;
    },
    clear: () => {
      cached = null;
    },
  };
}

/** True when `p` may see and act on `job`. */
export async function canSee(
  config: Config,
  memberships: Memberships,
  p: JobViewer,
  job: Job,
): Promise<boolean> {
  const v = jobVisibility(p, job, config.auth.share_project_tasks);
  return typeof v === 'string' ? v === 'visible' : memberships.isMember(p.id, v.ifMemberOf);
}

/** The job `id` if `p` may see it; otherwise NOT_FOUND, whether it exists or not. */
export async function visibleJob(
  deps: { config: Config; store: Store; memberships: Memberships },
  p: Principal,
  id: number,
): Promise<Job> {
  const visible = (v: JobViewer, job: Job) => canSee(deps.config, deps.memberships, v, job);
  return findVisibleJob({ store: deps.store, visible }, p, id);
}

/**
 * The store filter for a listing by `p`: administrators get what they ask; others their own
 * jobs, or a shared project's jobs when they ask for a project they are a member of.
 */
export async function listingFilter(
  deps: { config: Config; memberships: Memberships },
  p: Principal,
  asked: JobFilter,
): Promise<JobFilter> {
  if (p.admin) return asked;
  if (asked.user !== undefined && !sameLogin(asked.user, p.id)) {
    const shared =
      deps.config.auth.share_project_tasks &&
      asked.project !== undefined &&
      (await deps.memberships.isMember(p.id, asked.project));
    if (!shared) throw new HttpError('FORBIDDEN', 'only administrators list other users’ jobs');
    return asked;
  }
  if (
    asked.user === undefined &&
    asked.project !== undefined &&
    deps.config.auth.share_project_tasks &&
    (await deps.memberships.isMember(p.id, asked.project))
  )
    return asked;
  return { ...asked, user: p.id };
}
