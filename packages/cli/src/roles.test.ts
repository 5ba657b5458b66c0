/** `god web` (and so `god up`'s web role): serves the API until a signal, then stops. */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GodClient } from '@god/client';
import { describe, expect, inject, it } from 'vitest';
import type { RoleLogger } from './commands/roles.js';
import { makeRig } from './test-cli.js';

describe('god web', () => {
  it('serves the API on the configured address until a signal, and logs its URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'god-cli-web-'));
    const redis = new URL(inject('redisUrl'));
    const sets = [
      `store.sqlite.path=${join(dir, 'god.db')}`,
      `redis.host=${redis.hostname}`,
      `redis.port=${redis.port}`,
      `redis.prefix=cli-web-${randomBytes(4).toString('hex')}`,
      `auth.token_secret_file=${join(dir, 'token-secret')}`,
      'web.port=0',
    ].flatMap((s) => ['--set', s]);
    const started: Array<Record<string, unknown>> = [];
    const logger: RoleLogger = {
      debug: () => undefined,
      info: (fields, msg) =>
        void (msg === 'web started' && started.push(fields as Record<string, unknown>)),
      warn: () => undefined,
      error: () => undefined,
      child: () => logger,
    };
    let stop: (signal: string) => void = () => undefined;
    const signal = new Promise<string>((resolve) => (stop = resolve));
    const rig = await makeRig();
    const run = rig.run([...sets, 'web'], { logger, untilSignal: () => signal });
    await expect.poll(() => started.length, { timeout: 10_000 }).toBe(1);
    const url = String(started[0]?.['url']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new GodClient({ server: url, timeoutMs: 2_000 });
    expect(await client.health()).toMatchObject({ status: 'ok', store: true, redis: true });
    expect(((await client.config()) as { auth?: unknown }).auth).toBe('local');
    stop('SIGTERM');
    expect(await run).toMatchObject({ code: 0, err: '' });
    await expect(client.health()).rejects.toMatchObject({ status: 0 });
  });

  it('warns once when Redis has no password, not when it is reached with an ACL user', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'god-cli-web-'));
    const open = new URL(inject('redisUrl'));
    const secure = inject('redisSecure');
    const warnings = async (redis: string[]): Promise<Array<[object, string]>> => {
      const warned: Array<[object, string]> = [];
      let started = false;
      const logger: RoleLogger = {
        debug: () => undefined,
        info: (_, msg) => void (started ||= msg === 'web started'),
        warn: (fields, msg) => void warned.push([fields, msg]),
        error: () => undefined,
        child: () => logger,
      };
      let stop: (signal: string) => void = () => undefined;
      const signal = new Promise<string>((resolve) => (stop = resolve));
      const sets = [
        ...redis,
        `redis.prefix=cli-warn-${randomBytes(4).toString('hex')}`,
        `store.sqlite.path=${join(dir, 'god.db')}`,
        `auth.token_secret_file=${join(dir, 'token-secret')}`,
        'web.port=0',
      ].flatMap((s) => ['--set', s]);
      const run = (await makeRig()).run([...sets, 'web'], { logger, untilSignal: () => signal });
      await expect.poll(() => started, { timeout: 10_000 }).toBe(true);
      stop('SIGTERM');
      expect(await run).toMatchObject({ code: 0 });
      return warned;
    };
    const unauthenticated = await warnings([
      `redis.host=${open.hostname}`,
      `redis.port=${open.port}`,
    ]);
    expect(unauthenticated).toEqual([
      [{ redis: `${open.hostname}:${open.port}` }, expect.stringMatching(/^Redis has no password/)],
    ]);
    const acl = await warnings([
      `redis.path=${secure.socket}`,
      `redis.username=${secure.username}`,
      `redis.password_file=${secure.passwordFile}`,
    ]);
    expect(acl).toEqual([]);
  });
});
