/** The job actions of @god/jobs, wired once to this web process's store, queues and visibility. */
import type { JobActionDeps, SubmitForDeps } from '@god/jobs';
import { canSee } from './authz.js';
import type { WebContext } from './context.js';

/** What the job routes of both APIs act through. */
export interface JobServices {
  /** Kill, suspend, resume, reschedule, archive, hold, release, update. */
  actions: JobActionDeps;
  /** Submission for an authenticated caller. */
  submission: SubmitForDeps;
}

/** Builds the job services over the web's own. */
export function createJobServices(
  ctx: Pick<
    WebContext,
    'config' | 'store' | 'queues' | 'publisher' | 'counters' | 'plugin' | 'memberships' | 'metrics'
  >,
): JobServices {
  const { config, store, queues, publisher } = ctx;
  return {
    actions: {
      config,
      store,
      queues,
      publisher,
      visible: (actor, job) => canSee(config, ctx.memberships, actor, job),
    },
    submission: {
      config,
      store,
      counters: ctx.counters,
      publisher,
      plugin: ctx.plugin,
      onSubmitted: (n) => ctx.metrics.submitted(n),
    },
  };
}
