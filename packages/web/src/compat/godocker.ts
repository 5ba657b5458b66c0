/**
 * GO-Docker's `/api/1.0`, so its CLI (`godjob`) and Galaxy's GoDocker runner keep working:
 * the same handlers as `/api/v1`, with GO-Docker's request and answer shapes. Kept as GO-Docker
 * had it: `POST /authenticate` with `{user, apikey}`, task documents with `status.primary`,
 * `container.volumes` naming the task directory `go-docker` (Galaxy reads god.log from there).
 * Fixed on purpose: suspend, resume and archive change state, so they are POST, never GET.
 */
import { z } from 'zod';
import {
  GodError,
  JobUpdateSchema,
  isValidLogin,
  parseOrThrow,
  sameLogin,
  type Job,
} from '@god/core';
import { UnchangeableFieldError, archiveFor, requestFor, submitFor, updateFor } from '@god/jobs';
import type { Principal } from '../auth/principal.js';
import { visibleJob } from '../authz.js';
import type { WebContext } from '../context.js';
import { HttpError } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { publicConfig } from '../api/info.js';
import { JobIdParams } from '../api/schemas.js';
import type { JobServices } from '../job-services.js';
import { toSubmission } from './submission.js';

import { goDockerTask } from './task-view.js';
import { goDockerUserRoutes } from './users.js';

/** What the `/api/1.0` routes use besides the job services. */
export type GoDockerDeps = Pick<
  WebContext,
  'config' | 'store' | 'memberships' | 'identity' | 'tokens' | 'plugin' | 'queues' | 'now'
>;

/** The `/api/1.0` routes: the same job actions as `/api/v1`, in GO-Docker's shapes. */
// eslint-disable-next-line max-lines-per-function -- a route table: data, one short entry per route
export function goDockerRoutes(ctx: GoDockerDeps, jobs: JobServices): Route[] {
  const tags = ['go-docker'];
  const base = { tags, hidden: true } as const;
  const list = async (p: Principal, states: Job['state'][], all: boolean, skip = 0, limit = 0) => {
    if (all && !p.admin) throw new HttpError('FORBIDDEN', 'only administrators list every job');
    const filter = { state: states, ...(!all && { user: p.id }) };
    const out: Job[] = [];
    let cursor: string | null = null;
    do {
      const page = await ctx.store.listJobs(filter, { limit: 1000, cursor });
      out.push(...page.jobs);
      cursor = page.nextCursor;
    } while (cursor !== null && (limit === 0 || out.length < skip + limit));
    // GO-Docker lists finished jobs newest first.
    const ordered = states.includes('over') ? out.reverse() : out;
    return ordered
      .slice(skip, limit === 0 ? undefined : skip + limit)
      .map((j) => goDockerTask(ctx, j));
  };
  const control = (action: 'suspend' | 'resume') =>
    route({
      ...base,
      method: 'post',
      path: `/task/{id}/${action}`,
      summary: `${action} a task`,
      access: 'user',
      params: JobIdParams,
      handler: async ({ params, principal }) => {
        await requestFor(jobs.actions, principal, params.id, action);
        return { msg: `${action} requested`, id: params.id };
      },
    });
  const archive = (method: 'post' | 'delete') =>
    route({
      ...base,
      method,
      path: '/task/{id}/archive',
      summary: 'archive a finished task',
      access: 'user',
      params: JobIdParams,
      handler: async ({ params, principal }) => {
        await archiveFor(jobs.actions, principal, params.id);
        return { msg: 'archive requested', id: params.id };
      },
    });
  return [
    route({
      ...base,
      method: 'post',
      path: '/authenticate',
      summary: 'exchange a user name and API key for a token',
      access: 'public',
      body: z.object({ user: z.string().max(256), apikey: z.string().max(512) }),
      handler: async ({ body }) => {
        // An API key is 256 random bits: nobody guesses one, so this exchange is not counted
        // against password failures and a valid key is never refused because of them.
        const p = isValidLogin(body.user) ? await ctx.identity.apiKey(body.apikey) : null;
        if (p === null || !sameLogin(p.id, body.user))
          throw new HttpError('UNAUTHENTICATED', 'wrong user or API key');
        const { token } = await ctx.tokens.issue(p.id, p.sid, p.notAfter);
        return { token };
      },
    }),
    route({
      ...base,
      method: 'get',
      path: '/config',
      summary: 'public configuration',
      access: 'public',
      handler: async () =>
        Promise.resolve({
          ...publicConfig(ctx),
          images: ctx.config.images.map((i) => ({
            name: i.name,
            url: i.url,
            interactive: i.interactive,
            default: i.default,
          })),
          constraints: ctx.config.constraints.map((c) => ({ name: c.name, value: c.values })),
        }),
    }),
    ...goDockerUserRoutes(ctx),
    route({
      ...base,
      method: 'post',
      path: '/task',
      summary: 'submit a task (GO-Docker document)',
      access: 'user',
      handler: async ({ req, principal }) => {
        const a = principal.account;
        const doc = toSubmission(req.body, { id: principal.id, uid: a.uid, gid: a.gid });
        const [job] = await submitFor(jobs.submission, principal, [doc], false);
        return { msg: 'Task added', id: job!.id };
      },
    }),
    route({
      ...base,
      method: 'get',
      path: '/task/active',
      summary: 'your active tasks',
      access: 'user',
      handler: async ({ principal }) =>
        list(principal, ['pending', 'held', 'scheduled', 'running', 'suspended'], false),
    }),
    route({
      ...base,
      method: 'get',
      path: '/task/active/all',
      summary: 'every active task (administrators)',
      access: 'user',
      handler: async ({ principal }) =>
        list(principal, ['pending', 'held', 'scheduled', 'running', 'suspended'], true),
    }),
    ...(['', '/all'] as const).map((all) =>
      route({
        ...base,
        method: 'post',
        path: `/task/over${all}/{skip}/{limit}`,
        summary: 'finished tasks, newest first',
        access: 'user',
        params: z.object({
          skip: z.coerce.number().int().min(0),
          limit: z.coerce.number().int().min(0).max(100_000),
        }),
        handler: async ({ params, principal }) =>
          list(principal, ['over'], all !== '', params.skip, params.limit),
      }),
    ),
    route({
      ...base,
      method: 'get',
      path: '/task/{id}',
      summary: 'a task',
      access: 'user',
      params: JobIdParams,
      handler: async ({ params, principal }) =>
        goDockerTask(ctx, await visibleJob(ctx, principal, params.id)),
    }),
    route({
      ...base,
      method: 'get',
      path: '/task/{id}/status',
      summary: 'a task’s status',
      access: 'user',
      params: JobIdParams,
      handler: async ({ params, principal }) => {
        const t = goDockerTask(ctx, await visibleJob(ctx, principal, params.id));
        return { id: t['id'], status: t['status'] };
      },
    }),
    route({
      ...base,
      method: 'delete',
      path: '/task/{id}',
      summary: 'kill a task',
      access: 'user',
      params: JobIdParams,
      handler: async ({ params, principal }) => {
        try {
          await requestFor(jobs.actions, principal, params.id, 'kill', `killed by ${principal.id}`);
        } catch (err) {
          // The shared action refuses to kill a finished job (409 on /api/v1) and queues nothing;
          // GO-Docker clients (Galaxy's runner stopping jobs that already ended) expect a 200.
          if (!(err instanceof GodError && err.code === 'CONFLICT')) throw err;
          return { msg: 'task already over', id: params.id };
        }
        return { msg: 'kill requested', id: params.id };
      },
    }),
    route({
      ...base,
      method: 'put',
      path: '/task/{id}',
      summary: 'change one dynamic field of a task',
      access: 'user',
      params: JobIdParams,
      body: z.object({
        name: z.enum(['name', 'description', 'tags', 'maxlifespan']),
        value: z.union([z.string(), z.number()]),
      }),
      handler: async ({ params, body, principal }) => {
        const v = String(body.value);
        const patch =
          body.name === 'tags'
            ? { tags: v.split(',').filter((t) => t !== '') }
            : body.name === 'maxlifespan'
              ? { maxlifespan: Number(v) }
              : { [body.name]: v };
        const parsed = parseOrThrow(JobUpdateSchema, patch, 'invalid update');
        try {
          await updateFor(jobs.actions, principal, params.id, parsed);
        } catch (err) {
          // GO-Docker answers a field the caller may not change with 403, /api/v1 with 400.
          if (err instanceof UnchangeableFieldError)
            throw new HttpError('FORBIDDEN', `${body.name} cannot be changed`);
          throw err;
        }
        return { msg: 'updated', id: params.id };
      },
    }),
    control('suspend'),
    control('resume'),
    archive('post'),
    archive('delete'),
  ];
}
