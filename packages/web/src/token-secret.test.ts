/**
 * The token-signing secret never reaches Redis (which other local accounts may reach): it comes
 * from the config or an owner-only file. Against a real web process and the real test Redis.
 */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, type JWTPayload } from 'jose';
import type { Redis } from '@god/coord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, failure } from './test-helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-token-secret-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every string held under `prefix` in Redis: key names, and values of every type. */
async function everythingUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      found.push(key);
      const type = await redis.type(key);
      if (type === 'string') found.push((await redis.get(key)) ?? '');
      else if (type === 'hash') found.push(...Object.entries(await redis.hgetall(key)).flat());
      else if (type === 'list') found.push(...(await redis.lrange(key, 0, -1)));
      else if (type === 'set') found.push(...(await redis.smembers(key)));
      else if (type === 'zset') found.push(...(await redis.zrange(key, 0, -1)));
      else if (type === 'stream')
        for (const [, fields] of await redis.xrange(key, '-', '+')) found.push(...fields);
    }
  } while (cursor !== '0');
  return found;
}

function sign(payload: JWTPayload, secret: string): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

describe('the token-signing secret', () => {
  it('is in no Redis key after a web process started with the default config, and nothing read from Redis signs a token', async () => {
    const h = await WebHarness.start();
    try {
      const mallory = await h.user('mallory');
      const genuine = (await mallory.client.token()).token;
      expect((await h.client(genuine).me()).id).toBe('mallory');
      // Some state in Redis to look through: an event, counters, a failed login.
      await mallory.client.submit({
        container: { image: 'god-test/busybox:latest' },
        command: { cmd: 'true' },
      });
      await failure(h.client().login('mallory', 'not the password'));

      // Nothing an account that can read Redis finds there signs a token, for itself or an admin.
      const values = await everythingUnder(h.web.ctx.redis, h.config.redis.prefix);
      expect(values.length).toBeGreaterThan(0);
      const payload = decodeJwt(genuine);
      const now = Math.floor(Date.now() / 1000);
      const admin = { ...payload, sub: 'root-admin', iat: now, exp: now + 600 };
      for (const value of new Set(values.filter((v) => v !== ''))) {
        for (const forged of [await sign(payload, value), await sign(admin, value)])
          expect((await failure(h.client(forged).me())).status).toBe(401);
      }
      // The secret is the file's (so the forgery above was a real one, with the wrong key).
      const secret = (await readFile(h.config.auth.token_secret_file, 'utf8')).trim();
      expect(values.filter((v) => v.includes(secret))).toEqual([]);
      expect((await h.client(await sign(payload, secret)).me()).id).toBe('mallory');
    } finally {
      await h.web.stop();
    }
  });

  it('is made in a 0600 file (directory 0700) that web processes share', async () => {
    const file = join(dir, 'state', 'token-secret');
    const a = await WebHarness.start([`auth.token_secret_file=${file}`]);
    // Same store and Redis as `a` (a token names the key it came from, which must exist).
    const b = await WebHarness.start([
      `auth.token_secret_file=${file}`,
      `store.sqlite.path=${a.config.store.sqlite.path}`,
      `redis.prefix=${a.config.redis.prefix}`,
    ]);
    try {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
      const alice = await a.user('alice');
      const token = (await alice.client.token()).token;
      expect((await b.client(token).me()).id).toBe('alice');
    } finally {
      await a.web.stop();
      await b.web.stop();
    }
  });

  it.each([0o640, 0o644, 0o604])('refuses to start on a secret file of mode %o', async (mode) => {
    const file = join(dir, `readable-${mode.toString(8)}`);
    await writeFile(file, `${'s'.repeat(48)}\n`, { mode: 0o600 });
    await chmod(file, mode);
    await expect(WebHarness.start([`auth.token_secret_file=${file}`])).rejects.toThrow(
      /auth\.token_secret_file: .* other accounts may read it/,
    );
  });

  it('refuses to start on a secret file holding fewer than 32 characters', async () => {
    const file = join(dir, 'short');
    await writeFile(file, 'short secret\n', { mode: 0o600 });
    await expect(WebHarness.start([`auth.token_secret_file=${file}`])).rejects.toThrow(
      /auth\.token_secret_file: .* fewer than 32 characters/,
    );
  });

  it('uses auth.token_secret when set, and then needs no file', async () => {
    const file = join(dir, 'never-made');
    const h = await WebHarness.start([
      `auth.token_secret=${'k'.repeat(40)}`,
      `auth.token_secret_file=${file}`,
    ]);
    try {
      const token = (await (await h.user('carol')).client.token()).token;
      expect((await h.client(await sign(decodeJwt(token), 'k'.repeat(40))).me()).id).toBe('carol');
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await h.web.stop();
    }
  });
});
