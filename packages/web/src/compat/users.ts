/** GO-Docker's `/api/1.0/user/…` routes: a user, their projects, usage, and kill-all. */
import { z } from 'zod';
import { sameLogin } from '@god/core';
import { requestControl } from '@god/watcher';
import type { WebContext } from '../context.js';
import { notFound } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { LoginParams } from '../api/schemas.js';

/** The user routes of `/api/1.0`. */
export function goDockerUserRoutes(ctx: WebContext): Route[] {
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
        if (!sameLogin(params.id, principal.id) && !principal.admin)
          throw notFound(`user ${params.id}`);
        const user = await ctx.store.getUser(params.id);
        const account = sameLogin(params.id, principal.id)
          ? principal.account
          : await ctx.plugin.account(params.id);
        if (account === null) throw notFound(`user ${params.id}`);
        return {
          id: account.id,
          uid: account.uid,
          gid: account.gid,
          email: account.email,
          homeDirectory: account.home,
          admin: sameLogin(principal.id, params.id) ? principal.admin : user?.admin === true,
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
        if (!sameLogin(params.id, principal.id) && !principal.admin)
          throw notFound(`user ${params.id}`);
        const projects = await ctx.store.listProjects();
        return projects
          .filter((p) => p.id === 'default' || p.members.includes(params.id))
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
        if (!sameLogin(params.id, principal.id) && !principal.admin)
          throw notFound(`user ${params.id}`);
        const days = await ctx.store.usageByDay({
          user: params.id,
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
        if (!sameLogin(params.id, principal.id) && !principal.admin)
          throw notFound(`user ${params.id}`);
        let cursor: string | null = null;
        let n = 0;
        do {
          const page = await ctx.store.listJobs(
            {
              user: params.id,
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
