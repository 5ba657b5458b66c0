/**
 * The cluster and maintenance routes: which hosts are alive and which jobs hold their cores
 * (other users' jobs only as 'busy'), and the cluster-wide maintenance flag, the same one
 * `god maintenance on|off` sets (coord's maintenance module).
 */
import {
  createNodeRegistry,
  isMaintenanceOn,
  setMaintenanceFlag,
  type NodeRegistry,
} from '@god/coord';
import type { Job } from '@god/core';
import { canSee } from '../authz.js';
import type { Principal } from '../auth/principal.js';
import type { WebContext } from '../context.js';
import { route, type Route } from '../http/route.js';
import { clusterView, type PlacedJob } from './cluster-view.js';
import { ClusterView, MaintenanceView } from './schemas.js';

type ClusterDeps = Pick<
  WebContext,
  'config' | 'store' | 'redis' | 'keys' | 'publisher' | 'memberships' | 'logger'
>;

/** Jobs holding resources; bounded by the cluster's size, so read whole. */
async function placedJobs(ctx: ClusterDeps, p: Principal): Promise<PlacedJob[]> {
  const out: PlacedJob[] = [];
  let cursor: string | null = null;
  do {
    const page = await ctx.store.listJobs(
      { state: ['scheduled', 'running', 'suspended'] },
      { limit: 1000, cursor },
    );
    for (const job of page.jobs) {
      if (job.placement === null) continue;
      out.push({ job, visible: await visibleTo(ctx, p, job) });
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

function visibleTo(ctx: ClusterDeps, p: Principal, job: Job): Promise<boolean> {
  return p.admin ? Promise.resolve(true) : canSee(ctx.config, ctx.memberships, p, job);
}

/** GET /cluster, GET and PUT /maintenance. */
export function clusterRoutes(ctx: ClusterDeps): Route[] {
  const tags = ['cluster'];
  // Made at the first request: a route table uses its context only inside handlers.
  let made: NodeRegistry | null = null;
  const registry = (): NodeRegistry =>
    (made ??= createNodeRegistry({ redis: ctx.redis, keys: ctx.keys, logger: ctx.logger }));
  const maintenance = () => isMaintenanceOn(ctx.redis, ctx.keys, ctx.config.scheduler.maintenance);
  return [
    route({
      method: 'get',
      path: '/cluster',
      summary: 'hosts, shards and what holds each core and GPU (others’ jobs shown as busy)',
      tags,
      access: 'user',
      response: ClusterView,
      handler: async ({ principal }) => {
        const [on, hosts, alive, placed] = await Promise.all([
          maintenance(),
          registry().list(),
          registry().alive(ctx.config.scheduler.host_timeout_ms),
          placedJobs(ctx, principal),
        ]);
        return clusterView(on, hosts, new Set(alive.map((e) => e.host.name)), placed);
      },
    }),
    route({
      method: 'get',
      path: '/maintenance',
      summary: 'whether scheduling is paused cluster-wide (jobs are still accepted)',
      tags,
      access: 'user',
      response: MaintenanceView,
      handler: async () => ({ maintenance: await maintenance() }),
    }),
    route({
      method: 'put',
      path: '/maintenance',
      summary: 'pause or resume scheduling cluster-wide (as god maintenance on|off)',
      tags,
      access: 'admin',
      body: MaintenanceView,
      response: MaintenanceView,
      handler: async ({ body, principal }) => {
        await setMaintenanceFlag(ctx, body.maintenance);
        ctx.logger.info({ user: principal.id, maintenance: body.maintenance }, 'maintenance set');
        return { maintenance: body.maintenance };
      },
    }),
  ];
}
