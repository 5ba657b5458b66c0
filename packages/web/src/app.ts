/**
 * The express application: `/api/v1` (god's API and its OpenAPI document), `/api/1.0`
 * (GO-Docker's), `/metrics`, health, and the web UI's files (http/ui.ts). Everything a route answers, errors included, is JSON
 * (or a stream the route announced); state changes are never GET.
 */
import express, { type Express, type Request } from 'express';
import { leaseHolder } from '@god/coord';
import { z } from 'zod';
import type { Job } from '@god/core';
import type { Principal } from './auth/principal.js';
import { canSee } from './authz.js';
import type { WebContext } from './context.js';
import { adminConfigRoute } from './api/admin-config.js';
import { configRoute, usageRoutes } from './api/info.js';
import { projectRoutes } from './api/projects.js';
import { userRoutes } from './api/users.js';
import { authRoutes } from './api/auth-routes.js';
import { sessionRoutes } from './api/session-routes.js';
import { fileRoutes } from './api/files.js';
import { jobRoutes } from './api/jobs.js';
import { clusterRoutes } from './api/cluster.js';
import { fairshareRoute } from './api/fairshare.js';
import { taskSummaryRoute } from './api/task-summary.js';
import { liveUsageRoute } from './api/live-usage.js';
import { eventRoutes } from './api/live.js';
import { goDockerRoutes } from './compat/godocker.js';
import { createJobServices, type JobServices } from './job-services.js';
import { jsonBody } from './http/body.js';
import { errorHandler, notFound } from './http/errors.js';
import { openApiDocument } from './http/openapi.js';
import { securityHeaders, uiDirOf, uiRouter } from './http/ui.js';
import { mount, route, type Route } from './http/route.js';

/** The API version in the OpenAPI document. */
export const API_VERSION = '1.0.0';

/** Every `/api/v1` route, in the order of the OpenAPI document. */
export function apiRoutes(ctx: WebContext, jobs: JobServices = createJobServices(ctx)): Route[] {
  const visible = (p: Principal, job: Job): Promise<boolean> =>
    canSee(ctx.config, ctx.memberships, p, job);
  return [
    ...jobRoutes(ctx, jobs),
    taskSummaryRoute(ctx),
    liveUsageRoute(ctx),
    ...fileRoutes(ctx),
    ...eventRoutes(ctx, visible),
    ...authRoutes(ctx),
    ...sessionRoutes(ctx),
    ...userRoutes(ctx),
    ...projectRoutes(ctx),
    ...usageRoutes(ctx),
    fairshareRoute(ctx),
    ...clusterRoutes(ctx),
    configRoute(ctx),
    adminConfigRoute(ctx),
    healthRoute(ctx),
  ];
}

/** Builds the application over `ctx`. */
export function createApp(ctx: WebContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  // `req.ip` is what failed-login limits count: a forwarded address is believed only from a
  // configured proxy, else anyone could name a fresh address on every try.
  const proxies = ctx.config.web.trust_proxy;
  app.set('trust proxy', proxies.length === 0 ? false : [...proxies]);
  app.use((req, res, next) => {
    const t0 = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      ctx.metrics.request(req.method, routeLabel(req), res.statusCode, seconds);
    });
    next();
  });
  app.use(jsonBody(ctx.config.web.max_body_mb));

  const jobs = createJobServices(ctx);
  const routes = apiRoutes(ctx, jobs);
  const v1 = express.Router();
  const document = openApiDocument(routes, { title: 'god', version: API_VERSION, base: '/api/v1' });
  v1.get('/openapi.json', (_req, res) => void res.json(document));
  mount(v1, routes, ctx.identity.authenticate);
  app.use('/api/v1', v1);

  const compat = express.Router();
  // GO-Docker's API is for programs: Authorization only, never the browser's cookie.
  mount(compat, goDockerRoutes(ctx, jobs), (req) => ctx.identity.authenticate(req));
  app.use('/api/1.0', compat);

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', ctx.metrics.registry.contentType);
    res.send(await ctx.metrics.registry.metrics());
  });
  app.use(uiRouter(uiDirOf(ctx.config.web.ui_dir), ctx.logger));
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(errorHandler(ctx.logger));
  return app;
}

/** The route pattern of a request for metrics (never the raw path: ids would explode labels). */
function routeLabel(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
}

function healthRoute(ctx: Pick<WebContext, 'store' | 'redis' | 'keys'>): Route {
  return route({
    method: 'get',
    path: '/health',
    summary: 'whether the store and Redis answer, and who leads scheduling',
    tags: ['health'],
    access: 'public',
    response: z.object({
      status: z.enum(['ok', 'degraded']),
      store: z.boolean(),
      redis: z.boolean(),
      scheduler: z.object({ leader: z.string().nullable(), epoch: z.number() }).nullable(),
    }),
    handler: async ({ res }) => {
      const [store, redis] = await Promise.all([
        ctx.store.getProject('default').then(
          () => true,
          () => false,
        ),
        ctx.redis.ping().then(
          (r) => r === 'PONG',
          () => false,
        ),
      ]);
      // No leader is reported when Redis cannot say; the Redis check above fails then too.
      const lease = redis
        ? await leaseHolder(ctx.redis, ctx.keys, 'scheduler').catch(() => null)
        : null;
      const ok = store && redis;
      res.status(ok ? 200 : 503);
      return {
        status: ok ? 'ok' : 'degraded',
        store,
        redis,
        scheduler: lease === null ? null : { leader: lease.holderId, epoch: lease.epoch },
      };
    },
  });
}
