/** Usage per day (yours, a project's you are in, anyone's for administrators) and the public config. */
import { z } from 'zod';
import type { WebContext } from '../context.js';
import { sameLogin } from '@god/core';
import { HttpError } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { loginName, ProjectParams } from './schemas.js';

/** What the usage and configuration routes use. */
type InfoDeps = Pick<WebContext, 'config' | 'memberships' | 'now' | 'store'>;

/** Epoch ms, or a UTC day `YYYY-MM-DD`. */
const instant = z
  .union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.coerce.number().int().min(0)])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(`${v}T00:00:00Z`)));

/** Most buckets one history answer may hold. */
export const MAX_USAGE_BUCKETS = 1000;
const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;
/** The range a history covers when `from` is not given. */
const DEFAULT_SPAN = { hour: 48, day: 30 } as const;

const UsageBucket = z.object({
  start: z.number(),
  project: z.string(),
  cpuSeconds: z.number(),
  ramGBSeconds: z.number(),
  gpuSeconds: z.number(),
  wallSeconds: z.number(),
  jobs: z.number(),
});

/** `GET /usage/history`: usage per hour or UTC day and project; a user's own, anyone's for admins. */
function historyRoute(ctx: InfoDeps): Route {
  return route({
    method: 'get',
    path: '/usage/history',
    summary: 'usage per hour or UTC day and project (yours; any user’s or everyone’s for admins)',
    tags: ['usage'],
    access: 'user',
    query: z.strictObject({
      from: instant.optional().describe('epoch ms or YYYY-MM-DD, rounded down to a bucket'),
      to: instant.optional().describe('epoch ms or YYYY-MM-DD, exclusive (default: now)'),
      bucket: z.enum(['hour', 'day']).default('day'),
      user: loginName.optional(),
      project: ProjectParams.shape.id.optional(),
    }),
    response: z.object({
      bucket: z.enum(['hour', 'day']),
      from: z.number(),
      to: z.number(),
      buckets: z.array(UsageBucket),
    }),
    handler: async ({ query, principal }) => {
      const size = BUCKET_MS[query.bucket];
      const to = query.to ?? ctx.now();
      const asked = query.from ?? to - DEFAULT_SPAN[query.bucket] * size;
      const from = asked - (asked % size);
      if (from >= to) throw new HttpError('INVALID_INPUT', 'from: must be before to');
      const count = Math.ceil((to - from) / size);
      if (count > MAX_USAGE_BUCKETS)
        throw new HttpError(
          'INVALID_INPUT',
          `from: ${count} ${query.bucket}s between from and to; at most ${MAX_USAGE_BUCKETS} buckets`,
        );
      if (!principal.admin && query.user !== undefined && !sameLogin(query.user, principal.id))
        throw new HttpError('FORBIDDEN', 'only administrators see other users’ usage');
      const user = principal.admin ? query.user : principal.id;
      const buckets = await ctx.store.usageByBucket({
        since: from,
        until: to,
        bucketMs: size,
        ...(user !== undefined && { user }),
        ...(query.project !== undefined && { project: query.project }),
      });
      return { bucket: query.bucket, from, to, buckets };
    },
  });
}

/** The usage routes. */
export function usageRoutes(ctx: InfoDeps): Route[] {
  return [
    historyRoute(ctx),
    route({
      method: 'get',
      path: '/usage',
      summary: 'usage per UTC day, user and project (yours or a project’s you are a member of)',
      tags: ['usage'],
      access: 'user',
      query: z.strictObject({
        user: loginName.optional(),
        project: ProjectParams.shape.id.optional(),
        since: instant.optional().describe('epoch ms or YYYY-MM-DD (default: 30 days ago)'),
        until: instant.optional().describe('epoch ms or YYYY-MM-DD, exclusive'),
      }),
      response: z.object({ days: z.array(z.unknown()), totals: z.unknown() }),
      handler: async ({ query, principal }) => {
        let { user } = query;
        if (!principal.admin) {
          const member =
            query.project !== undefined &&
            (await ctx.memberships.isMember(principal.id, query.project));
          if (user !== undefined && !sameLogin(user, principal.id) && !member)
            throw new HttpError('FORBIDDEN', 'only administrators see other users’ usage');
          if (!member) user = principal.id;
        }
        const q = {
          ...(user !== undefined && { user }),
          ...(query.project !== undefined && { project: query.project }),
          since: query.since ?? ctx.now() - 30 * 86_400_000,
          ...(query.until !== undefined && { until: query.until }),
        };
        const [days, totals] = await Promise.all([
          ctx.store.usageByDay(q),
          ctx.store.usageTotals(q),
        ]);
        return { days, totals };
      },
    }),
  ];
}

/** What users may know of the configuration: images, volumes, constraints, limits. */
export function publicConfig(ctx: InfoDeps): Record<string, unknown> {
  const c = ctx.config;
  return {
    images: c.images,
    volumes: c.volumes.map((v) => ({
      name: v.name,
      acl: v.acl,
      path: v.path,
      mount: v.mount ?? v.path,
    })),
    constraints: c.constraints,
    executor: c.executor,
    executor_features: ['kill', 'pause', 'resume', 'reschedule'],
    defaults: c.defaults,
    limits: c.limits,
    dynamic_fields: c.web.dynamic_fields,
    auth: c.auth.plugin,
    allow_root: c.security.allow_root,
  };
}

/** The public configuration route. */
export function configRoute(ctx: InfoDeps): Route {
  return route({
    method: 'get',
    path: '/config',
    summary: 'the public part of the configuration (images, volumes, constraints, limits)',
    tags: ['config'],
    access: 'public',
    response: z.object({ images: z.array(z.unknown()), volumes: z.array(z.unknown()) }).loose(),
    handler: async () => Promise.resolve(publicConfig(ctx)),
  });
}
