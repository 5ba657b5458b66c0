/**
 * Authentication routes: password login (a token), a token for an API key, logout, who am I,
 * and the caller's API keys (created — shown once —, listed without secrets, revoked).
 */
import { z } from 'zod';
import { isValidLogin, sameLogin, ValidationError } from '@god/core';
import { makeApiKey, revokeKey } from '../auth/api-keys.js';
import { keyIdOf } from '../auth/sessions.js';
import type { Principal } from '../auth/principal.js';
import type { WebContext } from '../context.js';
import { HttpError, notFound } from '../http/errors.js';
import { route, type Route } from '../http/route.js';
import { LoginParams } from './schemas.js';

/** What the authentication routes use. */
type AuthDeps = Pick<
  WebContext,
  'identity' | 'logger' | 'now' | 'plugin' | 'sessions' | 'store' | 'tokens'
>;

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
// eslint-disable-next-line max-lines-per-function -- a route table: data, one short entry per route
export function authRoutes(ctx: AuthDeps): Route[] {
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
    logoutRoute(ctx),
    route({
      method: 'post',
      path: '/keys',
      summary:
        'create an API key for yourself (or, for administrators, for `user`); shown once. ' +
        'A key made with an expiring API key (or its token) expires with it at the latest.',
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
        const owner = await keyOwner(ctx, principal, body.user);
        const made = makeApiKey(owner, body.name, ctx.now());
        const record = {
          ...made.record,
          expiresAt: keyExpiry(ctx, principal, body.ttl_days),
          parent: keyIdOf(principal.sid),
        };
        await ctx.store.putApiKey(record);
        ctx.logger.info({ user: owner, keyId: record.id, by: principal.id }, 'api key created');
        return { ...publicKey(record), key: made.key };
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
      response: z.object({
        revoked: z.string(),
        derived: z.array(z.string()).describe('keys made with it, revoked with it'),
      }),
      handler: async ({ params, principal }) => {
        const key = await ctx.store.getApiKey(params.id);
        if (key === null || (!sameLogin(key.user, principal.id) && !principal.admin))
          throw notFound(`API key ${params.id}`);
        const derived = await revokeKey(ctx.store, key);
        ctx.logger.info(
          { user: key.user, keyId: key.id, derived, by: principal.id },
          'api key revoked',
        );
        return { revoked: key.id, derived };
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

/** A token of the caller's own source: it never outlives the API key it came from. */
async function tokenFor(ctx: AuthDeps, p: Principal): Promise<z.output<typeof TokenView>> {
  const { token, expiresAt } = await ctx.tokens.issue(p.id, p.sid, p.notAfter);
  return { token, expiresAt, user: p.id, admin: p.admin };
}

function logoutRoute(ctx: AuthDeps): Route {
  return route({
    method: 'post',
    path: '/auth/logout',
    summary: 'end the caller’s token session: no token of it is accepted any more',
    tags: ['auth'],
    access: 'user',
    response: z.object({ revoked: z.boolean() }),
    handler: async ({ principal }) => {
      if (principal.via !== 'token')
        throw new HttpError(
          'INVALID_INPUT',
          'an API key has no session to end: revoke it with DELETE /keys/{id}',
        );
      await ctx.sessions.revoke(principal.sid);
      ctx.logger.info({ user: principal.id }, 'token session ended');
      return { revoked: true };
    },
  });
}

/** The canonical login a new key is for: the caller, or (administrators) the user named. */
async function keyOwner(ctx: AuthDeps, p: Principal, asked: string | undefined): Promise<string> {
  if (asked === undefined) return p.id;
  if (!sameLogin(asked, p.id) && !p.admin)
    throw new HttpError('FORBIDDEN', 'only administrators create keys for other users');
  const account = isValidLogin(asked) ? await ctx.plugin.account(asked) : null;
  if (account === null) throw notFound(`user ${asked}`);
  return account.id;
}

/**
 * When a new key expires: `ttl_days` from now, else never; but never after the caller's own
 * credential (`notAfter`): a key made with an expiring key inherits its expiry, and asking for
 * longer is refused, unless an administrator asks for it explicitly.
 */
function keyExpiry(ctx: AuthDeps, p: Principal, ttlDays: number | undefined): number | null {
  const asked = ttlDays === undefined ? null : ctx.now() + ttlDays * 86_400_000;
  if (p.notAfter === null) return asked;
  if (asked === null) return p.notAfter;
  if (asked <= p.notAfter || p.admin) return asked;
  throw new ValidationError('invalid request', [
    {
      path: 'ttl_days',
      message: `a key made with this credential may not outlive it (it expires ${new Date(p.notAfter).toISOString()})`,
    },
  ]);
}

function ownerOf(p: Principal, asked: string | undefined): string {
  if (asked === undefined || sameLogin(asked, p.id)) return p.id;
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
