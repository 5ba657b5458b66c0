/** The host identity a job ran with, for walks that must not exceed its rights. */
import type { Job } from '@god/core';
import type { Identity } from './walk.js';

/** The host identity a job's container ran with: root for a root job, else the user's ids. */
export function identityOf(job: Pick<Job, 'user' | 'container'>): Identity {
  if (job.container.root) return { uid: 0, gid: 0, groups: [] };
  return { uid: job.user.uid, gid: job.user.gid, groups: job.user.sgids };
}
