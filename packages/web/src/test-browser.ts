/** Browser sessions for tests: log in over HTTP as a browser would and keep its cookie. */
import { expect } from 'vitest';

/** A browser session: the cookie pair to send back, its CSRF value, the raw Set-Cookie. */
export interface Browser {
  cookie: string;
  csrf: string;
  setCookie: string;
  body: { user: string; admin: boolean; expiresAt: number; csrf: string };
}

/** POSTs `body` as JSON to `base` + `path`. */
export function post(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Logs in at `base` with `body`; fails the test unless it answers 200 with a cookie. */
export async function logIn(
  base: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<Browser> {
  const res = await post(base, '/api/v1/auth/session', body, headers);
  expect(res.status, await res.clone().text()).toBe(200);
  const setCookie = res.headers.getSetCookie()[0]!;
  const answer = (await res.json()) as Browser['body'];
  return { cookie: setCookie.split(';')[0]!, csrf: answer.csrf, setCookie, body: answer };
}

/** Calls `base` + `/api/v1` + `path` with the browser's cookie (and `headers`). */
export function browserCall(
  base: string,
  b: Pick<Browser, 'cookie'>,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Cookie: b.cookie, 'Content-Type': 'application/json', ...opts.headers },
    ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
  });
}
