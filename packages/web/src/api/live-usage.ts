/**
 * `GET /jobs/{id}/usage/live`: the usage samples the agent publishes while the job runs (see
 * coord live-usage.ts), for the UI's live chart. 404 for a job the caller may not see.
 */
import { readLiveUsage } from '@god/coord';
import { visibleJob } from '../authz.js';
import type { WebContext } from '../context.js';
import { route, type Route } from '../http/route.js';
import { JobIdParams, LiveUsageView } from './schemas.js';

/** The live usage route. */
export function liveUsageRoute(
  ctx: Pick<WebContext, 'config' | 'store' | 'memberships' | 'redis' | 'keys'>,
): Route {
  return route({
    method: 'get',
    path: '/jobs/{id}/usage/live',
    summary: 'a running job’s last usage samples (CPU time, memory)',
    tags: ['jobs'],
    access: 'user',
    params: JobIdParams,
    response: LiveUsageView,
    handler: async ({ params, principal }) => {
      const job = await visibleJob(ctx, principal, params.id);
      return { samples: await readLiveUsage(ctx.redis, ctx.keys, job.id) };
    },
  });
}
