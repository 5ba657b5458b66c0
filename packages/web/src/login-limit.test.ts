/**
 * Failed-login limits slow a guesser without locking the owner out: per (login, address) with
 * growing waits, API keys never refused, X-Forwarded-For believed only from configured proxies.
 * Over HTTP on real web processes and Redis.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys, createRedis, type Redis } from '@god/coord';
import { createLoginLimiter } from './auth/login-limit.js';
import { HttpError } from './http/errors.js';
import { WebHarness, type TestUser } from './test-helpers.js';

let proxied: WebHarness;
let direct: WebHarness;
let bob: TestUser;
let redis: Redis;

beforeAll(async () => {
  [proxied, direct] = await Promise.all([
    WebHarness.start(['web.trust_proxy=[loopback]', 'auth.max_failures=3']),
    WebHarness.start(['auth.max_failures=3', 'auth.max_failures_per_address=5']),
  ]);
  bob = await proxied.user('bob', { password: 'bob’s own password' });
  redis = createRedis(proxied.config.redis);
});
afterAll(async () => {
  redis?.disconnect();
  await Promise.all([proxied?.stop(), direct?.stop()]);
});

/** POSTs a password login to `h`, as if from `from` (an X-Forwarded-For value) when given. */
function login(h: WebHarness, user: string, password: string, from?: string): Promise<Response> {
  return fetch(`${h.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(from !== undefined && { 'X-Forwarded-For': from }),
    },
    body: JSON.stringify({ login: user, password }),
  });
}

/** Sends wrong passwords for `user` until one is refused with 429; returns that answer. */
async function guessUntilLimited(h: WebHarness, user: string, from?: string): Promise<Response> {
  for (let i = 0; i < 20; i++) {
    const res = await login(h, user, `guess ${i}`, from);
    if (res.status === 429) return res;
    expect(res.status).toBe(401);
  }
  throw new Error('never limited');
}

describe('failed-login limits', () => {
  it('does not delay bob on his own address for guesses sent in his name from elsewhere', async () => {
    await guessUntilLimited(proxied, 'bob', '198.51.100.66');
    // Any spelling of his name is the same counter for the guesser.
    expect((await login(proxied, 'BOB', 'x', '198.51.100.66')).status).toBe(429);
    const own = await login(proxied, 'bob', 'bob’s own password', '192.0.2.7');
    expect(own.status).toBe(200);
  });

  it('never refuses a valid API key after password failures, on /api/1.0 either', async () => {
    // Same address as bob (loopback, no proxy header): his password login is slowed...
    await guessUntilLimited(proxied, 'bob');
    // ...but his key works, and so does exchanging it the GO-Docker way.
    expect((await bob.client.me()).id).toBe('bob');
    const res = await fetch(`${proxied.url}/api/1.0/authenticate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'bob', apikey: bob.key }),
    });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    expect((await proxied.client(token).me()).id).toBe('bob');
  });

  it('answers 429 with Retry-After, the wait growing with each further failure', async () => {
    const from = '203.0.113.9';
    const first = await guessUntilLimited(proxied, 'carol', from);
    const wait1 = Number(first.headers.get('retry-after'));
    expect(wait1).toBeGreaterThanOrEqual(1);
    expect(wait1).toBeLessThanOrEqual(2);
    expect(((await first.json()) as { error: { code: string } }).error.code).toBe('LIMIT_EXCEEDED');
    // After the wait, one more failure: the next wait is about twice as long.
    const deadline = Date.now() + 10_000;
    let res = await login(proxied, 'carol', 'another guess', from);
    while (res.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await login(proxied, 'carol', 'another guess', from);
    }
    expect(res.status).toBe(401);
    const second = await login(proxied, 'carol', 'and another', from);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(wait1);
  });

  it('caps the wait at auth.max_delay_s', async () => {
    const prefix = `limit-${randomBytes(4).toString('hex')}`;
    const limiter = createLoginLimiter({
      redis,
      keys: createKeys(prefix),
      perLogin: 2,
      perAddress: 1000,
      maxDelaySeconds: 30,
      windowSeconds: 60,
    });
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      await limiter.failed('dave', '192.0.2.1');
      const err = await limiter.check('dave', '192.0.2.1').then(
        () => null,
        (e: unknown) => e,
      );
      waits.push(err instanceof HttpError ? err.retryAfter! : 0);
    }
    expect(waits.slice(0, 5)).toEqual([0, 2, 4, 8, 16]);
    expect(waits.slice(5)).toEqual(Array.from({ length: 7 }, () => 30));
    // Another address, and the same login after a success there, wait for nothing.
    await limiter.check('dave', '192.0.2.2');
    await limiter.succeeded('dave', '192.0.2.1');
    await limiter.check('dave', '192.0.2.1');
  });

  it('does not lock loopback users out for one user’s failures on other logins', async () => {
    const alice = 'alice-loop';
    await proxied.user(alice, { password: 'alice’s password' });
    for (let i = 0; i < 20; i++)
      expect((await login(proxied, `nobody${i}`, 'wrong')).status).toBe(401);
    expect((await login(proxied, alice, 'alice’s password')).status).toBe(200);
  });

  it('ignores X-Forwarded-For from a peer that is not a configured proxy', async () => {
    for (let i = 0; i < 5; i++)
      expect((await login(direct, `user${i}`, 'wrong', `10.9.${i}.1`)).status).toBe(401);
    // Five failures from this one peer, whatever addresses it claimed: its allowance is spent.
    const res = await login(direct, 'user9', 'wrong', '10.9.9.9');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
