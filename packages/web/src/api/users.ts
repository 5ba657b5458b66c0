/** Users: administrators manage them; a user reads their own record. */
import { z } from 'zod';
import type { User } from '@god/store';
import { isPasswordSetter, sameLogin } from '@god/core';
import type { WebContext } from '../context.js';
import { HttpError, notFound } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { LoginParams, loginName, prioritySchema, QuotaSchema } from './schemas.js';

/** What the user routes use. */
type UserDeps = Pick<WebContext, 'identity' | 'now' | 'plugin' | 'sessions' | 'store'>;

const id32 = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
/** The fields of a user, without defaults: an update changes only the fields it gives. */
const fields = {
  uid: id32,
  gid: id32,
  sgids: z.array(id32).max(256),
  home: z
    .string()
    .max(4096)
    .regex(/^(\/.*)?$/, 'must be an absolute path or empty'),
  email: z.string().max(320),
  admin: z.boolean(),
  priority: prioritySchema,
  quota: QuotaSchema.nullable(),
  password: z.string().min(8, 'at least 8 characters').max(4096),
  disabled: z.boolean(),
};
const UserCreate = z.strictObject({
  ...fields,
  id: loginName,
  sgids: fields.sgids.default([]),
  home: fields.home.default(''),
  email: fields.email.default(''),
  admin: fields.admin.default(false),
  priority: fields.priority.default(50),
  quota: fields.quota.default(null),
  password: fields.password.optional(),
  disabled: fields.disabled.default(false),
});
const UserUpdate = z.strictObject(fields).partial();
const UserView = z.object({
  id: z.string(),
  uid: z.number(),
  gid: z.number(),
  sgids: z.array(z.number()),
  home: z.string(),
  email: z.string(),
  admin: z.boolean(),
  priority: z.number(),
  quota: z.unknown(),
  hasPassword: z.boolean(),
  createdAt: z.number(),
  disabled: z.boolean(),
});
/** The user routes. */
// eslint-disable-next-line max-lines-per-function -- a route table: data, one short entry per route
export function userRoutes(ctx: UserDeps): Route[] {
  const tags = ['users'];
  const view = (u: User): z.output<typeof UserView> => {
    const { passwordHash, ...rest } = u;
    return { ...rest, hasPassword: passwordHash !== null, disabled: u.disabled === true };
  };
  const hash = async (password: string | undefined, field: string): Promise<string | null> => {
    if (password === undefined) return null;
    if (!isPasswordSetter(ctx.plugin))
      throw new HttpError(
        'INVALID_INPUT',
        `${field}: the ${ctx.plugin.name} auth plugin keeps no passwords`,
      );
    return ctx.plugin.hashPassword(password);
  };
  return [
    route({
      method: 'get',
      path: '/users',
      summary: 'every user (administrators)',
      tags,
      access: 'admin',
      response: z.object({ users: z.array(UserView) }),
      handler: async () => ({ users: (await ctx.store.listUsers()).map(view) }),
    }),
    route({
      method: 'get',
      path: '/users/{id}',
      summary: 'one user (yourself, or anyone for administrators)',
      tags,
      access: 'user',
      params: LoginParams,
      response: UserView,
      handler: async ({ params, principal }) => {
        const user =
          sameLogin(params.id, principal.id) || principal.admin
            ? await ctx.store.findUser(params.id)
            : null;
        if (user === null) throw notFound(`user ${params.id}`);
        return view(user);
      },
    }),
    route({
      method: 'post',
      path: '/users',
      summary: 'create a user (administrators)',
      tags,
      access: 'admin',
      body: UserCreate,
      response: UserView,
      status: 201,
      handler: async ({ body }) => {
        // One person, one login: `Alice` cannot be created next to `alice`.
        const existing = await ctx.store.findUser(body.id);
        if (existing !== null)
          throw new HttpError(
            'CONFLICT',
            existing.id === body.id
              ? `user ${body.id} exists`
              : `user ${existing.id} exists: logins differing only in case are the same user`,
          );
        const { password, ...fields } = body;
        const user: User = {
          ...fields,
          passwordHash: await hash(password, 'password'),
          createdAt: ctx.now(),
        };
        await ctx.store.putUser(user);
        return view(user);
      },
    }),
    route({
      method: 'post',
      path: '/users/{id}',
      summary:
        'change a user (administrators): only the fields given; `disabled: true` refuses all their credentials',
      tags,
      access: 'admin',
      params: LoginParams,
      body: UserUpdate,
      response: UserView,
      handler: async ({ params, body }) => {
        const user = await ctx.store.findUser(params.id);
        if (user === null) throw notFound(`user ${params.id}`);
        const { password, ...fields } = body;
        const defined = Object.fromEntries(
          Object.entries(fields).filter(([, v]) => v !== undefined),
        );
        const next: User = { ...user, ...defined };
        if (password !== undefined) next.passwordHash = await hash(password, 'password');
        await ctx.store.putUser(next);
        // A new password ends the sessions the old one opened (a thief's included); disabling
        // ends them all.
        if (password !== undefined || body.disabled === true)
          await ctx.sessions.endAll(user.id, ctx.now());
        ctx.identity.forget(user.id);
        return view(next);
      },
    }),
    route({
      method: 'delete',
      path: '/users/{id}',
      summary: 'delete a user and revoke their API keys (administrators); their jobs stay',
      tags,
      access: 'admin',
      params: LoginParams,
      response: z.object({ deleted: z.string() }),
      handler: async ({ params }) => {
        const id = (await ctx.store.findUser(params.id))?.id ?? params.id;
        if (!(await ctx.store.deleteUser(id))) throw notFound(`user ${params.id}`);
        for (const k of await ctx.store.listApiKeys(id)) await ctx.store.deleteApiKey(k.id);
        await ctx.sessions.endAll(id, ctx.now());
        ctx.identity.forget(id);
        return { deleted: id };
      },
    }),
  ];
}
