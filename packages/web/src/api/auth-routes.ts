/**
 * Authentication routes: password login (a token), a token for an API key, who am I, and the
 * caller's API keys (created — shown once —, listed without secrets, revoked).
 */
import { z } from 'zod';
import { isValidLogin } from '@god/core';
import { makeApiKey } from '../auth/api-keys.js';
import type { Principal } from '../auth/principal.js';
import type { WebContext } from '../context.js';
import { HttpError, notFound } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { LoginParams } from './schemas.js';

const TokenView = z.object({
  token: z.string(),
  expiresAt: z.number().describe('epoch ms'),
  user: z.string(),
  admin: z.boolean(),
});
const KeyView = z.object({
  id: z.string(),
  user: z.string(),
  name: z.string(),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
});
const MeView = z.object({
  id: z.string(),
  admin: z.boolean(),
  uid: z.number(),
  gid: z.number(),
  sgids: z.array(z.number()),
  home: z.string().nullable(),
  email: z.string(),
  via: z.enum(['token', 'apikey']),
});

/** The auth and API key routes. */
export function authRoutes(ctx: WebContext): Route[] {
  const tags = ['auth'];
  return [
    route({
      method: 'post',
      path: '/auth/login',
      summary: 'log in with a password; answers a short-lived token',
      tags,
      access: 'public',
      body: z.strictObject({
        login: z.string().min(1).max(256),
        password: z.string().min(1).max(4096),
      }),
      response: TokenView,
      handler: async ({ body, req }) => {
        const p = await ctx.identity.login(body.login, body.password, req.ip ?? 'unknown');
        return tokenFor(ctx, p);
      },
    }),
    route({
      method: 'post',
      path: '/auth/token',
      summary: 'a short-lived token for the caller (e.g. exchange an API key)',
      tags,
      access: 'user',
      response: TokenView,
      handler: async ({ principal }) => tokenFor(ctx, principal),
    }),
    route({
      method: 'get',
      path: '/auth/me',
      summary: 'who the caller is, as god sees them',
      tags,
      access: 'user',
      response: MeView,
      handler: async ({ principal: p }) =>
        Promise.resolve({
          id: p.id,
          admin: p.admin,
          uid: p.account.uid,
          gid: p.account.gid,
          sgids: p.account.sgids,
          home: p.account.home,
          email: p.account.email,
          via: p.via,
        }),
    }),
    route({
      method: 'post',
      path: '/keys',
      summary: 'create an API key for yourself (or, for administrators, for `user`); shown once',
      tags,
      access: 'user',
      body: z.strictObject({
        name: z.string().trim().min(1).max(100).default('key'),
        user: z.string().optional(),
        ttl_days: z.number().int().min(1).max(3650).optional(),
      }),
      response: KeyView.extend({ key: z.string().describe('the key itself: shown only now') }),
      status: 201,
      handler: async ({ body, principal }) => {
        const owner = body.user ?? principal.id;
        if (owner !== principal.id && !principal.admin)
          throw new HttpError('FORBIDDEN', 'only administrators create keys for other users');
        if (!isValidLogin(owner) || (await ctx.plugin.account(owner)) === null)
          throw notFound(`user ${owner}`);
        const made = makeApiKey(
          owner,
          body.name,
          ctx.now(),
          body.ttl_days === undefined ? undefined : body.ttl_days * 86_400,
        );
        await ctx.store.putApiKey(made.record);
        ctx.logger.info(
          { user: owner, keyId: made.record.id, by: principal.id },
          'api key created',
        );
        return { ...publicKey(made.record), key: made.key };
      },
    }),
    route({
      method: 'get',
      path: '/keys',
      summary: 'your API keys (without their secrets)',
      tags,
      access: 'user',
      query: z.strictObject({ user: z.string().optional() }),
      response: z.object({ keys: z.array(KeyView) }),
      handler: async ({ query, principal }) => {
        const owner = ownerOf(principal, query.user);
        return { keys: (await ctx.store.listApiKeys(owner)).map(publicKey) };
      },
    }),
    route({
      method: 'delete',
      path: '/keys/{id}',
      summary: 'revoke an API key',
      tags,
      access: 'user',
      params: z.strictObject({ id: z.string().regex(/^[0-9a-f]{16}$/, 'not a key id') }),
      response: z.object({ revoked: z.string() }),
      handler: async ({ params, principal }) => {
        const key = await ctx.store.getApiKey(params.id);
        if (key === null || (key.user !== principal.id && !principal.admin))
          throw notFound(`API key ${params.id}`);
        await ctx.store.deleteApiKey(key.id);
        ctx.logger.info({ user: key.user, keyId: key.id, by: principal.id }, 'api key revoked');
        return { revoked: key.id };
      },
    }),
    route({
      method: 'get',
      path: '/users/{id}/keys',
      summary: 'a user’s API keys (administrators)',
      tags,
      access: 'admin',
      params: LoginParams,
      response: z.object({ keys: z.array(KeyView) }),
      handler: async ({ params }) => ({
        keys: (await ctx.store.listApiKeys(params.id)).map(publicKey),
      }),
    }),
  ];
}

async function tokenFor(ctx: WebContext, p: Principal): Promise<z.output<typeof TokenView>> {
  const { token, expiresAt } = await ctx.tokens.issue(p.id);
  return { token, expiresAt, user: p.id, admin: p.admin };
}

function ownerOf(p: Principal, asked: string | undefined): string {
  if (asked === undefined || asked === p.id) return p.id;
  if (!p.admin) throw new HttpError('FORBIDDEN', 'only administrators see other users’ keys');
  return asked;
}

function publicKey(k: {
  id: string;
  user: string;
  name: string;
  createdAt: number;
  expiresAt: number | null;
}): z.output<typeof KeyView> {
  return { id: k.id, user: k.user, name: k.name, createdAt: k.createdAt, expiresAt: k.expiresAt };
}
