/**
 * The resolved configuration for administrators, with every secret masked: values under a key
 * named like a secret (secret, password, key, token, credential) and passwords inside URLs
 * become `********`. Files named in the configuration are never read here.
 */
import { z } from 'zod';
import type { WebContext } from '../context.js';
import { route, type Route } from '../http/route.js';

/** What replaces a secret. */
export const MASK = '********';

// `token_ttl_s` names a duration, not a token: only names ending in a secret word, or holding
// secret/password anywhere, are masked.
const SECRET_NAME = /(secret|passw(or)?d|credential|(^|_)key$|(^|_)token$|apikey|private)/i;

/** `scheme://user:password@host` → `scheme://user:********@host`. */
function maskUrl(s: string): string {
  return s.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^/@]*@/i, `$1:${MASK}@`);
}

function maskValue(v: unknown): unknown {
  if (typeof v === 'string') return v === '' ? '' : MASK;
  if (Array.isArray(v)) return v.map(maskValue);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.keys(v).map((k) => [k, MASK]));
  return v === null || v === undefined ? v : MASK;
}

/** A copy of `value` with every secret masked (exported for tests). */
export function maskSecrets(value: unknown): unknown {
  if (typeof value === 'string') return maskUrl(value);
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      SECRET_NAME.test(k) && typeof v !== 'boolean' ? maskValue(v) : maskSecrets(v),
    ]),
  );
}

/** `GET /admin/config`: the resolved configuration, secrets masked (administrators). */
export function adminConfigRoute(ctx: Pick<WebContext, 'config'>): Route {
  return route({
    method: 'get',
    path: '/admin/config',
    summary: 'the resolved configuration with every secret masked (administrators)',
    tags: ['config'],
    access: 'admin',
    response: z.record(z.string(), z.unknown()),
    handler: () => Promise.resolve(maskSecrets(ctx.config) as Record<string, unknown>),
  });
}
