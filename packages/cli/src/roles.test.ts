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
});
