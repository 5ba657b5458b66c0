/** `god login`, `god logout`, `god whoami` against a real web process (SQLite, test Redis). */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApiError, GodClient } from '@god/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from '../../web/src/test-helpers.js';
import { makeRig } from './test-cli.js';

let h: WebHarness;
let alice: TestUser;

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice', { password: 'correct horse battery' });
});
afterAll(async () => {
  await h?.stop();
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
const stored = async (path: string) =>
  JSON.parse(await readFile(path, 'utf8')) as { server: string; user: string; key: string };

/** The HTTP status a call with `key` gets (200 when it works). */
async function statusWith(key: string): Promise<number> {
  return new GodClient({ server: h.url, credential: key }).me().then(
    () => 200,
    (e: unknown) => (e instanceof ApiError ? e.status : -1),
  );
}

describe('god login', () => {
  it('logs in with a password from stdin, stores a key 0600 in a 0700 directory, and prints no key', async () => {
    const rig = await makeRig();
    const r = await rig.run(['login', '--server', h.url, '--user', 'alice', '--password-stdin'], {
      stdin: 'correct horse battery\n',
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`logged in to ${h.url} as alice`);
    const creds = await stored(rig.credentials);
    expect(creds).toMatchObject({ server: h.url, user: 'alice' });
    expect(creds.key).toMatch(/^god_[0-9a-f]{16}_/);
    expect(r.out).not.toContain(creds.key);
    expect(await modeOf(rig.credentials)).toBe(0o600);
    expect(await modeOf(dirname(rig.credentials))).toBe(0o700);
    const keys = (await alice.client.listKeys()).keys.map((k) => k.name);
    expect(keys).toContain('cli@testhost');
    const whoami = await rig.run(['whoami']);
    expect(whoami.code).toBe(0);
    expect(whoami.out).toMatch(/^alice \(uid \d+, gid \d+\) on http:.* via apikey\n$/);
  });

  it('asks for the password without echo on a terminal, and replaces (and revokes) the key of an earlier login', async () => {
    const rig = await makeRig();
    const first = await rig.run(['login', '--server', h.url, '--user', 'alice'], {
      typed: 'correct horse battery',
    });
    expect(first.code).toBe(0);
    const firstKey = (await stored(rig.credentials)).key;
    // The second login remembers the server and the user.
    const second = await rig.run(['login'], { typed: 'correct horse battery' });
    expect(second.code).toBe(0);
    expect(second.prompts).toEqual([`Password for alice at ${h.url}: `]);
    const secondKey = (await stored(rig.credentials)).key;
    expect(secondKey).not.toBe(firstKey);
    expect(await statusWith(secondKey)).toBe(200);
    expect(await statusWith(firstKey)).toBe(401);
    expect(await modeOf(rig.credentials)).toBe(0o600);
  });

  it('refuses a wrong password with one line and stores nothing', async () => {
    const rig = await makeRig();
    const r = await rig.run(['login', '--server', h.url, '--user', 'alice', '--password-stdin'], {
      stdin: 'wrong',
    });
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^god: not authenticated: .*god login/);
    await expect(stat(rig.credentials)).rejects.toThrow(/ENOENT/);
  });

  it('without a terminal or --password-stdin, says how to give the password (exit 2)', async () => {
    const rig = await makeRig();
    const r = await rig.run(['login', '--server', h.url, '--user', 'alice']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--password-stdin');
  });

  it('logs in with --api-key after checking it, and refuses a bad one', async () => {
    const rig = await makeRig();
    const r = await rig.run(['login', '--server', h.url, '--api-key', alice.key]);
    expect(r).toMatchObject({ code: 0 });
    expect(await stored(rig.credentials)).toEqual({ server: h.url, user: 'alice', key: alice.key });
    const bad = await rig.run([
      'login',
      '--server',
      h.url,
      '--api-key',
      `god_0123456789abcdef_${'x'.repeat(43)}`,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('not authenticated');
    expect((await stored(rig.credentials)).key).toBe(alice.key);
  });

  it('logs out: the key is revoked on the server (401 afterwards) and the file removed', async () => {
    const rig = await makeRig();
    await rig.run(['login', '--server', h.url, '--user', 'alice', '--password-stdin'], {
      stdin: 'correct horse battery',
    });
    const { key } = await stored(rig.credentials);
    expect(await statusWith(key)).toBe(200);
    const r = await rig.run(['logout']);
    expect(r).toMatchObject({ code: 0, out: `logged out of ${h.url}\n` });
    expect(await statusWith(key)).toBe(401);
    await expect(stat(rig.credentials)).rejects.toThrow(/ENOENT/);
    expect(await rig.run(['logout'])).toMatchObject({ code: 0, out: 'not logged in\n' });
    const after = await rig.run(['list']);
    expect(after.code).toBe(1);
    expect(after.err).toBe(
      'god: not logged in to http://127.0.0.1:6543: run `god login` (or set GOD_API_KEY)\n',
    );
    const revoked = await rig.run(['list'], { env: { GOD_SERVER: h.url, GOD_API_KEY: key } });
    expect(revoked.code).toBe(1);
    expect(revoked.err).toMatch(/^god: not authenticated: .*; run `god login`\n$/);
  });

  it('refuses to read a credentials file others may read', async () => {
    const rig = await makeRig();
    await mkdir(dirname(rig.credentials), { recursive: true });
    await writeFile(
      rig.credentials,
      JSON.stringify({ server: h.url, user: 'alice', key: alice.key }),
    );
    await chmod(rig.credentials, 0o644);
    const r = await rig.run(['list']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`refusing to read ${rig.credentials}`);
    expect(r.err).toContain('mode 0644');
    expect(r.err).not.toContain(alice.key);
  });

  it('takes GOD_SERVER and GOD_API_KEY over the stored login, and never sends the stored key elsewhere', async () => {
    const rig = await makeRig();
    const bob = await h.user('bob');
    await rig.run(['login', '--server', h.url, '--api-key', alice.key]);
    const asBob = await rig.run(['whoami'], { env: { GOD_API_KEY: bob.key } });
    expect(asBob.out).toMatch(/^bob /);
    // Another address of the same server: the stored key is for h.url only.
    const other = h.url.replace('127.0.0.1', 'localhost');
    const elsewhere = await rig.run(['whoami'], { env: { GOD_SERVER: other } });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.err).toContain(`not logged in to ${other}`);
  });

  it('says clearly when the server cannot be reached', async () => {
    const rig = await makeRig({ GOD_SERVER: 'http://127.0.0.1:1', GOD_API_KEY: alice.key });
    const r = await rig.run(['list']);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^god: cannot reach god at http:\/\/127\.0\.0\.1:1/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('god login, rate limited', () => {
  it('shows Retry-After when the server refuses more attempts (429)', async () => {
    const limited = await WebHarness.start(['auth.max_failures=2']);
    try {
      await limited.user('zoe', { password: 'the right password' });
      const rig = await makeRig();
      const attempt = () =>
        rig.run(['login', '--server', limited.url, '--user', 'zoe', '--password-stdin'], {
          stdin: 'a wrong password',
        });
      await attempt();
      await attempt();
      const r = await attempt();
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^god: too many requests: .* \(retry after \d+ s\)\n$/);
    } finally {
      await limited.stop();
    }
  });
});
