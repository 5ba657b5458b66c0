/**
 * GO-Docker's `/api/1.0`, so its CLI (`godjob`) and Galaxy's GoDocker runner keep working:
 * the same handlers as `/api/v1`, with GO-Docker's request and answer shapes. Kept as GO-Docker
 * had it: `POST /authenticate` with `{user, apikey}`, task documents with `status.primary`,
 * `container.volumes` naming the task directory `go-docker` (Galaxy reads god.log from there).
 * Fixed on purpose: suspend, resume and archive change state, so they are POST, never GET.
 */
import { z } from 'zod';
import {
  EVENTS,
  JobUpdateSchema,
  isValidLogin,
  parseOrThrow,
  taskDirOf,
  TASK_MOUNT,
  type Job,
} from '@god/core';
import { requestArchive } from '@god/archiver';
import { requestControl } from '@god/watcher';
import { checkApiKey } from '../auth/api-keys.js';
import type { Principal } from '../auth/principal.js';
import { visibleJob } from '../authz.js';
import type { WebContext } from '../context.js';
import { HttpError, notFound } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { publicConfig } from '../api/accounts.js';
import { JobIdParams, LoginParams } from '../api/schemas.js';
import { submitFor } from '../api/jobs.js';
import { toSubmission } from './submission.js';

const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

/** A job in GO-Docker's shape. */
export function goDockerTask(ctx: WebContext, job: Job): Record<string, unknown> {
  const s = job.status;
  const dir = taskDirOf(ctx.config.shared_dir, job);
  const ended = s.dates.ended !== null;
  return {
    id: job.id,
    user: { id: job.user.id, uid: job.user.uid, gid: job.user.gid, project: job.user.project },
    date: s.dates.submitted / 1000,
    meta: job.meta,
    requirements: {
      cpu: job.requirements.cpu,
      ram: job.requirements.ram,
      gpus: job.requirements.gpus,
      array: { values: job.requirements.array?.spec ?? null },
      label: job.requirements.label,
      tasks: job.requirements.tasks.map((t) => t.id),
      ports: job.requirements.ports,
      tmpstorage:
        job.requirements.tmpstorage === null
          ? null
          : { size: job.requirements.tmpstorage, path: null },
      executor: job.requirements.executor,
      maxlifespan: job.requirements.maxlifespan,
    },
    container: {
      image: job.container.image,
      root: job.container.root,
      network: true,
      id: null,
      ports: job.placement?.ports ?? [],
      volumes: [
        { name: 'go-docker', path: dir, mount: TASK_MOUNT, acl: 'rw' },
        ...job.container.volumes.map((v) => ({
          name: v.name,
          acl: v.acl,
          path: null,
          mount: null,
        })),
      ],
      meta:
        job.placement === null && !ended
          ? null
          : {
              Node: { Name: job.placement?.host ?? null },
              ...(ended && { State: { ExitCode: s.exitcode ?? -1 } }),
            },
    },
    command: job.command,
    status: {
      primary: s.primary,
      secondary: s.secondary,
      reason: s.reason,
      exitcode: s.exitcode,
      ...(s.dates.started !== null && { date_running: seconds(s.dates.started) }),
      date_over: seconds(s.dates.ended),
    },
  };
}

/** The `/api/1.0` routes. */
export function goDockerRoutes(ctx: WebContext): Route[] {
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
        const job = await visibleJob(ctx, principal, params.id);
        await requestControl(ctx.queues, {
          action,
          jobId: job.id,
          by: principal.id,
          reason: `${action} by ${principal.id}`,
        });
        return { msg: `${action} requested`, id: job.id };
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
        const job = await visibleJob(ctx, principal, params.id);
        if (job.state !== 'over' && job.state !== 'archived')
          throw new HttpError('CONFLICT', `task ${job.id} is not over`);
        await requestArchive(ctx.queues, { jobId: job.id, by: principal.id });
        return { msg: 'archive requested', id: job.id };
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
      handler: async ({ body, req }) => {
        const addr = req.ip ?? 'unknown';
        await ctx.limiter.check(body.user, addr);
        const owner = isValidLogin(body.user)
          ? await checkApiKey(ctx.store, body.apikey, ctx.now())
          : null;
        const p = owner === body.user ? await ctx.identity.principal(owner, 'apikey') : null;
        if (p === null) {
          await ctx.limiter.failed(body.user, addr);
          throw new HttpError('UNAUTHENTICATED', 'wrong user or API key');
        }
        await ctx.limiter.succeeded(body.user);
        const { token } = await ctx.tokens.issue(p.id);
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
    route({
      ...base,
      method: 'get',
      path: '/user/{id}',
      summary: 'a user',
      access: 'user',
      params: LoginParams,
      handler: async ({ params, principal }) => {
        if (params.id !== principal.id && !principal.admin) throw notFound(`user ${params.id}`);
        const user = await ctx.store.getUser(params.id);
        const account =
          params.id === principal.id ? principal.account : await ctx.plugin.account(params.id);
        if (account === null) throw notFound(`user ${params.id}`);
        return {
          id: account.id,
          uid: account.uid,
          gid: account.gid,
          email: account.email,
          homeDirectory: account.home,
          admin: principal.id === params.id ? principal.admin : user?.admin === true,
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
        if (params.id !== principal.id && !principal.admin) throw notFound(`user ${params.id}`);
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
        if (params.id !== principal.id && !principal.admin) throw notFound(`user ${params.id}`);
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
        if (params.id !== principal.id && !principal.admin) throw notFound(`user ${params.id}`);
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
    route({
      ...base,
      method: 'post',
      path: '/task',
      summary: 'submit a task (GO-Docker document)',
      access: 'user',
      handler: async ({ req, principal }) => {
        const [job] = await submitFor(ctx, principal, [toSubmission(req.body)], false);
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
        const job = await visibleJob(ctx, principal, params.id);
        if (job.state !== 'over' && job.state !== 'archived')
          await requestControl(ctx.queues, {
            action: 'kill',
            jobId: job.id,
            by: principal.id,
            reason: `killed by ${principal.id}`,
          });
        return { msg: 'kill requested', id: job.id };
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
        const job = await visibleJob(ctx, principal, params.id);
        const allowed = ctx.config.web.dynamic_fields.find((f) => f.name === body.name);
        if (allowed === undefined || (allowed.admin_only && !principal.admin))
          throw new HttpError('FORBIDDEN', `${body.name} cannot be changed`);
        const v = String(body.value);
        const patch =
          body.name === 'tags'
            ? { tags: v.split(',').filter((t) => t !== '') }
            : body.name === 'maxlifespan'
              ? { maxlifespan: Number(v) }
              : { [body.name]: v };
        const updated = await ctx.store.updateJob(
          job.id,
          parseOrThrow(JobUpdateSchema, patch, 'invalid update'),
        );
        if (updated === null) throw new HttpError('CONFLICT', `task ${job.id} is over`);
        await ctx.publisher
          .publish(EVENTS.changed, { jobId: job.id, state: updated.state })
          .catch(() => undefined);
        return { msg: 'updated', id: job.id };
      },
    }),
    control('suspend'),
    control('resume'),
    archive('post'),
    archive('delete'),
  ];
}
