/** Users, projects, keys, usage, the server's config and bootstrap-admin, with the CLI. */
import { join } from 'node:path';
import { GodClient } from '@god/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from '../../web/src/test-helpers.js';
import { makeRig, type CliRig, type RunResult } from './test-cli.js';

let h: WebHarness;
let alice: TestUser;
let asAdmin: CliRig['run'];
let asAlice: CliRig['run'];

beforeAll(async () => {
  h = await WebHarness.start([
    'volumes=[{name: scratch, path: /srv/scratch, acl: rw}]',
    'constraints=[{name: site, values: [paris, lyon]}]',
  ]);
  alice = await h.user('alice');
  const boss = await h.user('boss', { admin: true });
  asAdmin = (await makeRig({ GOD_SERVER: h.url, GOD_API_KEY: boss.key })).run;
  asAlice = (await makeRig({ GOD_SERVER: h.url, GOD_API_KEY: alice.key })).run;
});
afterAll(async () => {
  await h?.stop();
});

const json = <T>(r: RunResult): T => {
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as T;
};

describe('god users', () => {
  it('adds, shows, lists, changes and removes users', async () => {
    const added = await asAdmin(
      ['users', 'add', 'carol', '--uid', '3001', '--gid', '3002', '--sgids', '10,11'],
      { env: {} },
    );
    expect(added).toMatchObject({ code: 0, out: 'user carol created (uid 3001, gid 3002)\n' });
    await asAdmin(
      [
        'users',
        'set',
        'carol',
        '--email',
        'c@example.org',
        '--admin',
        '--priority',
        '70',
        '--quota-cpu-hours',
        '10',
        '--quota-window',
        '7d',
        '--password-stdin',
      ],
      { stdin: 'a long enough password\n' },
    );
    const carol = json<Record<string, unknown>>(
      await asAdmin(['users', 'show', 'carol', '--json']),
    );
    expect(carol).toMatchObject({
      id: 'carol',
      uid: 3001,
      gid: 3002,
      sgids: [10, 11],
      email: 'c@example.org',
      admin: true,
      priority: 70,
      hasPassword: true,
      quota: { cpuSeconds: 36_000, ramGBSeconds: 0, windowSeconds: 7 * 86_400 },
    });
    // A change to one quota field keeps the others.
    await asAdmin(['users', 'set', 'carol', '--quota-gpu-hours', '1', '--no-admin']);
    expect(await h.store.getUser('carol')).toMatchObject({
      admin: false,
      quota: { cpuSeconds: 36_000, gpuSeconds: 3600, windowSeconds: 7 * 86_400 },
    });
    expect((await asAdmin(['users', 'show', 'carol'])).out).toMatch(
      /quota: +10 core-h, 1 GPU-h per 7d\n/,
    );
    const list = json<{ users: Array<{ id: string }> }>(await asAdmin(['users', 'list', '--json']));
    expect(list.users.map((u) => u.id)).toEqual(expect.arrayContaining(['alice', 'boss', 'carol']));
    expect((await asAdmin(['users', 'list'])).out).toMatch(/^LOGIN\s+UID\s+GID/);
    expect(await asAdmin(['users', 'remove', 'carol'])).toMatchObject({ code: 0 });
    expect(await h.store.getUser('carol')).toBeNull();
  });

  it('reports what a non-administrator may not do, and bad input, in one line each', async () => {
    const denied = await asAlice(['users', 'list']);
    expect(denied).toMatchObject({ code: 1, out: '' });
    expect(denied.err).toMatch(/^god: not allowed: .+\n$/);
    const exists = await asAdmin(['users', 'add', 'alice', '--uid', '1', '--gid', '1']);
    expect(exists).toMatchObject({ code: 1, err: 'god: conflict: user alice exists\n' });
    const missingUid = await asAdmin(['users', 'add', 'dan', '--gid', '1']);
    expect(missingUid.code).toBe(2);
    expect(missingUid.err).toContain("required option '--uid <uid>' not specified");
    const badHome = await asAdmin([
      'users',
      'add',
      'dan',
      '--uid',
      '5',
      '--gid',
      '5',
      '--home',
      'rel',
    ]);
    expect(badHome.code).toBe(2);
    expect(badHome.err).toContain('home: must be an absolute path or empty');
  });
});

describe('god projects', () => {
  it('adds a project with members, limits and a quota, changes it, manages members, removes it', async () => {
    const added = json<Record<string, unknown>>(
      await asAdmin([
        'projects',
        'add',
        'genomics',
        '--description',
        'DNA',
        '--member',
        'alice,boss',
        '--priority',
        '60',
        '--limit-cpu',
        '16',
        '--quota-cpu-hours',
        '100',
        '--json',
      ]),
    );
    expect(added).toMatchObject({
      id: 'genomics',
      members: ['alice', 'boss'],
      priority: 60,
      limits: { cpu: 16, ram: 0, gpus: 0, jobs: 0 },
      quota: { cpuSeconds: 360_000, windowSeconds: 30 * 86_400 },
    });
    await asAdmin(['projects', 'set', 'genomics', '--limit-jobs', '4', '--priority', '40']);
    expect(await h.store.getProject('genomics')).toMatchObject({
      priority: 40,
      limits: { cpu: 16, jobs: 4 },
    });
    expect(
      (await asAdmin(['projects', 'members', 'genomics', '--add', 'carl', '--remove', 'boss'])).out,
    ).toBe('project genomics members: alice, carl\n');
    // Members see their projects; others do not.
    const mine = json<{ projects: Array<{ id: string }> }>(
      await asAlice(['projects', 'list', '--json']),
    );
    expect(mine.projects.map((p) => p.id)).toContain('genomics');
    expect((await asAlice(['projects', 'show', 'genomics'])).out).toMatch(
      /members: +alice, carl\n/,
    );
    expect(await asAdmin(['projects', 'remove', 'genomics'])).toMatchObject({ code: 0 });
    expect((await asAlice(['projects', 'show', 'genomics'])).err).toBe(
      'god: project genomics not found\n',
    );
  });
});

describe('god keys', () => {
  it('creates a key shown once, lists keys without secrets, revokes them', async () => {
    const created = await asAlice(['keys', 'create', '--name', 'ci', '--ttl-days', '7']);
    expect(created.code).toBe(0);
    const key = created.out.trim();
    expect(key).toMatch(/^god_[0-9a-f]{16}_/);
    expect(created.err).toContain('not shown again');
    expect((await new GodClient({ server: h.url, credential: key }).me()).id).toBe('alice');
    const listed = json<{ keys: Array<{ id: string; name: string; expiresAt: number | null }> }>(
      await asAlice(['keys', 'list', '--json']),
    );
    const ci = listed.keys.find((k) => k.name === 'ci');
    expect(ci?.expiresAt).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    const table = await asAlice(['keys', 'list']);
    expect(table.out).toContain(ci!.id);
    expect(table.out).not.toContain(key);
    expect(await asAlice(['keys', 'revoke', ci!.id])).toMatchObject({
      code: 0,
      out: `key ${ci!.id} revoked\n`,
    });
    const after = await new GodClient({ server: h.url, credential: key })
      .me()
      .catch((e: unknown) => e);
    expect(after).toMatchObject({ status: 401 });
    expect((await asAlice(['keys', 'create', '--user', 'boss'])).err).toMatch(/^god: not allowed/);
    const forAlice = json<{ user: string }>(
      await asAdmin(['keys', 'create', '--user', 'alice', '--json']),
    );
    expect(forAlice.user).toBe('alice');
  });
});

describe('god usage and god config server', () => {
  it('shows usage per day, as a table or JSON', async () => {
    const job = await h.jobOf(alice);
    await h.store.recordUsage({
      jobId: job.id,
      user: 'alice',
      project: 'default',
      at: Date.now(),
      cpuSeconds: 7200,
      ramGBSeconds: 3600,
      gpuSeconds: 0,
      wallSeconds: 3600,
    });
    const u = json<{ totals: Record<string, number> }>(
      await asAlice(['usage', '--since', '1d', '--json']),
    );
    expect(u.totals).toMatchObject({ cpuSeconds: 7200, jobs: 1 });
    const table = await asAlice(['usage']);
    expect(table.out).toMatch(
      /\n\d{4}-\d\d-\d\d\s+alice\s+default\s+1\s+2\.00\s+1\.00\s+0\.00\s+1\.00\n/,
    );
    expect(table.out).toMatch(/\ntotal\s+1\s+2\.00/);
    expect((await asAlice(['usage', '--user', 'boss'])).err).toMatch(/^god: not allowed/);
    expect((await asAlice(['usage', '--since', 'yesterday'])).code).toBe(2);
  });

  it('shows the server’s public configuration without logging in', async () => {
    const anonymous = (await makeRig({ GOD_SERVER: h.url })).run;
    const c = json<Record<string, unknown>>(await anonymous(['config', 'server', '--json']));
    expect(c).toMatchObject({ volumes: [{ name: 'scratch', acl: 'rw' }], auth: 'local' });
    const text = await anonymous(['config', 'server']);
    expect(text.out).toMatch(/\n {2}scratch\s+rw\s+\/srv\/scratch\n/);
    expect(text.out).toContain('constraint:  site==paris|lyon');
  });
});

describe('god bootstrap-admin', () => {
  const sets = () => [
    '--set',
    `store.sqlite.path=${join(h.dir, 'god.db')}`,
    '--set',
    `redis.host=${h.config.redis.host}`,
    '--set',
    `redis.port=${h.config.redis.port}`,
  ];

  it('creates an administrator in the store and prints a working key once', async () => {
    const rig = await makeRig();
    const r = await rig.run([
      ...sets(),
      'bootstrap-admin',
      'root-of-trust',
      '--uid',
      '4000',
      '--gid',
      '4001',
    ]);
    expect(r.code).toBe(0);
    const key = r.out.trim();
    expect(r.err).toContain('created administrator root-of-trust (uid 4000, gid 4001)');
    expect(await h.store.getUser('root-of-trust')).toMatchObject({
      admin: true,
      uid: 4000,
      gid: 4001,
    });
    const me = await new GodClient({ server: h.url, credential: key }).me();
    expect(me).toMatchObject({ id: 'root-of-trust', admin: true });
    // Again: the account keeps its ids, gets a password, and a new key.
    const again = await rig.run(
      [...sets(), 'bootstrap-admin', 'root-of-trust', '--password-stdin'],
      {
        stdin: 'another long password\n',
      },
    );
    expect(again.err).toContain('updated administrator root-of-trust (uid 4000, gid 4001)');
    expect(again.out.trim()).not.toBe(key);
    expect((await h.client().login('root-of-trust', 'another long password')).admin).toBe(true);
  });

  it('refuses uid 0 unless --allow-root-uid, and a bad login', async () => {
    const rig = await makeRig();
    const root = await rig.run([...sets(), 'bootstrap-admin', 'rooty', '--uid', '0', '--gid', '0']);
    expect(root.code).toBe(2);
    expect(root.err).toContain('uid 0');
    expect(await h.store.getUser('rooty')).toBeNull();
    const allowed = await rig.run([
      ...sets(),
      'bootstrap-admin',
      'rooty',
      '--uid',
      '0',
      '--gid',
      '0',
      '--allow-root-uid',
    ]);
    expect(allowed.code).toBe(0);
    expect((await rig.run([...sets(), 'bootstrap-admin', 'no such login'])).code).toBe(2);
  });
});
