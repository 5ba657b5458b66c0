/** GO-Docker's `/api/1.0/user/…` routes: a user, their projects, usage, and kill-all. */
import { z } from 'zod';
import { sameLogin } from '@god/core';
import { requestControl } from '@god/coord';
import type { Principal } from '../auth/principal.js';
import type { WebContext } from '../context.js';
import { notFound } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { LoginParams } from '../api/schemas.js';

/**
 * The login a caller may ask about: their own (canonical, whatever spelling they typed), or
 * anyone's for administrators; NOT_FOUND otherwise, as for a user who does not exist.
 */
function own(principal: Principal, asked: string): string {
  if (sameLogin(asked, principal.id)) return principal.id;
  if (!principal.admin) throw notFound(`user ${asked}`);
  return asked;
}

/** The user routes of `/api/1.0`. */
// eslint-disable-next-line max-lines-per-function -- a route table: data, one short entry per route
export function goDockerUserRoutes(
  ctx: Pick<WebContext, 'store' | 'plugin' | 'queues' | 'now'>,
): Route[] {
  const base = { tags: ['go-docker'], hidden: true } as const;
  return [
    route({
      ...base,
      method: 'get',
      path: '/user/{id}',
      summary: 'a user',
      access: 'user',
      params: LoginParams,
      handler: async ({ params, principal }) => {
        const id = own(principal, params.id);
        const user = await ctx.store.getUser(id);
        const account = id === principal.id ? principal.account : await ctx.plugin.account(id);
        if (account === null) throw notFound(`user ${params.id}`);
        return {
          id: account.id,
          uid: account.uid,
          gid: account.gid,
          email: account.email,
          homeDirectory: account.home,
          admin: id === principal.id ? principal.admin : user?.admin === true,
          // Keys are stored hashed: there is nothing to show.
          credentials: { apikey: '', public: '' },
          usage: {
            prio: user?.priority ?? 50,
            quota_cpu: user?.quota?.cpuSeconds ?? 0,
            quota_ram: user?.quota?.ramGBSeconds ?? 0,
            quota_time: user?.quota?.wallSeconds ?? 0,
          },
        };
      },
    }),
    route({
      ...base,
      method: 'get',
      path: '/user/{id}/project',
      summary: 'projects of a user',
      access: 'user',
      params: LoginParams,
      handler: async ({ params, principal }) => {
        const id = own(principal, params.id);
        const projects = await ctx.store.listProjects();
        return projects
          .filter((p) => p.id === 'default' || p.members.some((m) => sameLogin(m, id)))
          .map((p) => ({ id: p.id, prio: p.priority, description: p.description }));
      },
    }),
    route({
      ...base,
      method: 'get',
      path: '/user/{id}/usage',
      summary: 'usage of a user per day',
      access: 'user',
      params: LoginParams,
      handler: async ({ params, principal }) => {
        const id = own(principal, params.id);
        const days = await ctx.store.usageByDay({
          user: id,
          since: ctx.now() - 30 * 86_400_000,
        });
        return days.map((d) => ({
          date: d.day.replace(/-/g, '_'),
          cpu: d.cpuSeconds,
          ram: d.ramGBSeconds,
          time: d.wallSeconds,
        }));
      },
    }),
    route({
      ...base,
      method: 'delete',
      path: '/user/{id}/task',
      summary: 'kill every active task of a user (optionally with a tag)',
      access: 'user',
      params: LoginParams,
      query: z.object({ tag: z.string().max(200).optional() }),
      handler: async ({ params, query, principal }) => {
        const id = own(principal, params.id);
        let cursor: string | null = null;
        let n = 0;
        do {
          const page = await ctx.store.listJobs(
            {
              user: id,
              state: ['pending', 'held', 'scheduled', 'running', 'suspended'],
              ...(query.tag !== undefined && { tag: query.tag }),
            },
            { limit: 1000, cursor },
          );
          for (const job of page.jobs) {
            await requestControl(ctx.queues, {
              action: 'kill',
              jobId: job.id,
              by: principal.id,
              reason: `killed by ${principal.id}`,
            });
            n += 1;
          }
          cursor = page.nextCursor;
        } while (cursor !== null);
        return { msg: `${n} tasks will be killed` };
      },
    }),
  ];
}
