/** `GET /events`: the SSE route over the process's live events (`live-events.ts`). */
import type { Response } from 'express';
import { z } from 'zod';
import type { Job } from '@god/core';
import type { Principal } from '../auth/principal.js';
import type { WebContext } from '../context.js';
import { route, STREAMED, type Route } from '../http/route.js';
import { openSse } from '../http/streams.js';

/** What the event route uses. */
type LiveDeps = Pick<WebContext, 'live' | 'streams'>;

/** `GET /events`: server-sent events of the caller's jobs (all jobs for administrators). */
export function eventRoutes(
  ctx: LiveDeps,
  visible: (p: Principal, job: Job) => Promise<boolean>,
): Route[] {
  return [
    route({
      method: 'get',
      path: '/events',
      summary: 'live job events (SSE): job.submitted, job.changed, job.started, job.ended, …',
      tags: ['events'],
      access: 'user',
      query: z.strictObject({
        job: z.coerce.number().int().positive().optional().describe('only this job'),
      }),
      produces: 'text/event-stream',
      handler: async ({ query, principal, res }) => {
        stream(ctx, principal, query.job ?? null, visible, res);
        return Promise.resolve(STREAMED);
      },
    }),
  ];
}

/** One SSE client: a stream slot (429 past the caps), then events until it leaves or idles. */
function stream(
  ctx: LiveDeps,
  principal: Principal,
  jobId: number | null,
  visible: (p: Principal, job: Job) => Promise<boolean>,
  res: Response,
): void {
  const sse = openSse(ctx.streams, principal.id, res);
  const remove = ctx.live.add(
    {
      principal,
      jobId,
      send: (event, job) => {
        const data = { ...event, ...(job !== null && { state: job.state, outcome: job.outcome }) };
        sse.send(event.type, data);
      },
    },
    visible,
  );
  sse.signal.addEventListener('abort', remove, { once: true });
}
