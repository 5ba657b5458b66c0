/**
 * `scripts/install.sh redis` on a Redis configuration of our own (GOD_REDIS_CONF, GOD_ETC): the
 * server it leaves needs a password, the password is in a 0600 file and not in the server's
 * configuration, running it twice changes nothing, and god logs in with the settings it wrote.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRedis, type Redis } from '@god/coord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  spawnLogged,
  stopChild,
  tcpOpen,
  waitForReady,
} from '../../scripts/services/common.js';

const INSTALL = resolve(import.meta.dirname, '../../scripts/install.sh');
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-install-redis-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function install(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn('bash', [INSTALL, 'redis'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', fail);
    child.once('exit', (code) => done({ code, out }));
  });
}

describe('install.sh redis', () => {
  it.skipIf(process.getuid?.() !== 0)(
    'leaves a Redis that refuses clients without the password god is given',
    async () => {
      const port = await freePort();
      const conf = join(dir, 'redis', 'redis.conf');
      const etc = join(dir, 'etc-god');
      await rm(join(dir, 'redis'), { recursive: true, force: true });
      await mkdir(join(dir, 'redis'));
      await writeFile(
        conf,
        `port ${port}\nbind 127.0.0.1\ndir ${join(dir, 'redis')}\nsave ""\nappendonly no\n`,
        { mode: 0o640 },
      );
      const env = { GOD_REDIS_CONF: conf, GOD_ETC: etc };
      const first = await install(env);
      expect(first.code, first.out).toBe(0);
      const password = (await readFile(join(etc, 'redis-password'), 'utf8')).trim();
      const conf1 = await readFile(conf, 'utf8');
      const second = await install(env);
      expect(second.code, second.out).toBe(0);
      expect(await readFile(conf, 'utf8')).toBe(conf1);
      expect((await readFile(join(etc, 'redis-password'), 'utf8')).trim()).toBe(password);

      expect(password.length).toBeGreaterThanOrEqual(32);
      expect((await stat(join(etc, 'redis-password'))).mode & 0o777).toBe(0o600);
      const godConf = await readFile(join(dir, 'redis', 'god.conf'), 'utf8');
      expect(godConf).not.toContain(password);
      expect(godConf).toMatch(/^user default off$/m);
      expect(conf1.split('\n').filter((l) => l.startsWith('include '))).toEqual([
        `include ${join(dir, 'redis', 'god.conf')}`,
      ]);
      const godEnv = Object.fromEntries(
        (await readFile(join(etc, 'god.env'), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => l.split('=') as [string, string]),
      );
      expect(godEnv).toEqual({
        GODOCKER_REDIS_USERNAME: 'god',
        GODOCKER_REDIS_PASSWORD_FILE: join(etc, 'redis-password'),
      });

      const server = spawnLogged('redis', join(dir, 'redis'), 'redis-server', [conf]);
      const clients: Redis[] = [];
      const client = (extra: object): Redis => {
        const c = createRedis(
          { host: '127.0.0.1', port, db: 0, password: '', ...extra },
          { maxRetriesPerRequest: 0, retryStrategy: () => null },
        );
        c.on('error', () => undefined);
        clients.push(c);
        return c;
      };
      try {
        await waitForReady(`redis-server on ${port}`, server, () => tcpOpen(port));
        await expect(client({}).ping()).rejects.toThrow(/NOAUTH|Authentication required/);
        const god = client({
          username: godEnv['GODOCKER_REDIS_USERNAME'],
          password_file: godEnv['GODOCKER_REDIS_PASSWORD_FILE'],
        });
        expect(await god.ping()).toBe('PONG');
      } finally {
        for (const c of clients) c.disconnect();
        await stopChild(server, null);
      }
    },
  );
});
