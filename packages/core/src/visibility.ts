/**
 * Who may see a job: one definition for the API (reads and actions), submission (dependencies)
 * and the scheduler (dependencies again, since memberships change). A job is visible to its
 * owner, to administrators, and — when `auth.share_project_tasks` is on — to the members of the
 * job's project. Anything else must be answered exactly as if the job did not exist.
 */
import { sameLogin } from './auth.js';

/** Who looks: a login and whether it is an administrator. */
export interface JobViewer {
  id: string;
  admin: boolean;
}

/** The parts of a job that decide who sees it. */
export interface JobOwnership {
  user: { id: string; project: string };
}

/** The verdict before memberships are known: yes, no, or only for a member of `project`. */
export type Visibility = 'visible' | 'hidden' | { ifMemberOf: string };

/** Whether `viewer` may see `job`, up to a project membership the caller looks up. */
export function jobVisibility(
  viewer: JobViewer,
  job: JobOwnership,
  shareProjectTasks: boolean,
): Visibility {
  if (viewer.admin || sameLogin(job.user.id, viewer.id)) return 'visible';
  return shareProjectTasks ? { ifMemberOf: job.user.project } : 'hidden';
}

/** Whether `viewer` may see `job`, given a way to ask whether they are a project's member. */
export function mayViewJob(
  viewer: JobViewer,
  job: JobOwnership,
  shareProjectTasks: boolean,
  isMember: (user: string, project: string) => boolean,
): boolean {
  const v = jobVisibility(viewer, job, shareProjectTasks);
  return typeof v === 'string' ? v === 'visible' : isMember(viewer.id, v.ifMemberOf);
}

/** True when `login` is an administrator: listed in `auth.admins` or marked so in the store. */
export function isAdministrator(
  admins: readonly string[],
  login: string,
  stored: { admin: boolean } | null | undefined,
): boolean {
  // Logins differing only in case are one person (sameLogin), so the config's spelling of an
  // administrator need not match the directory's.
  return admins.some((a) => sameLogin(a, login)) || stored?.admin === true;
}
