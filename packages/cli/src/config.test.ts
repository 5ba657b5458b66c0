import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { resolveConfig } from '@god/core';
import { describe, expect, inject, it } from 'vitest';
import { silentLogger } from '@god/coord';
import { runCli } from './cli.js';
import type { RoleLogger } from './commands/roles.js';
import { testContext } from './test-cli.js';

const repo = resolve(import.meta.dirname, '../../..');

/** Runs the CLI in-process with captured output. */
async function god(
  args: string[],
  env: Record<string, string> = {},
  cwd = repo,
  logger?: RoleLogger,
) {
  const t = testContext({ env, cwd, ...(logger !== undefined && { logger }) });
  const code = await runCli(args, t.ctx);
  return { code, out: t.out().trimEnd(), err: t.err().trimEnd() };
}

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'god-cli-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('god config check', () => {
  it('accepts the shipped config, whose values are exactly the defaults it documents', async () => {
    const r = await god(['config', 'check', 'config/god.yaml']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^config ok: .*config\/god\.yaml/);
    const shipped = resolveConfig({
      file: { name: 'god.yaml', text: await readFile(join(repo, 'config/god.yaml'), 'utf8') },
    });
    expect(shipped).toEqual(resolveConfig());
  });

  it('exits 2 and lists every problem with its path', async () => {
    const file = await tempFile(
      'bad.yaml',
      'store:\n  driver: oracle\nredis:\n  port: 99999\nexecuter: docker\n',
    );
    const r = await god(['config', 'check', file], { GODOCKER_WEB_PORT: 'x' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('(4 problems)');
    for (const path of ['store.driver', 'redis.port', 'executer: unknown field', 'web.port'])
      expect(r.err).toContain(`  ${path}`);
    expect(r.err).toContain('(from GODOCKER_WEB_PORT)');
  });

  it('exits 2 when the named file cannot be read', async () => {
    const r = await god(['config', 'check', '/nonexistent/god.yaml']);
    expect(r).toMatchObject({ code: 2 });
    expect(r.err).toContain('cannot read config file /nonexistent/god.yaml: ENOENT');
  });

  it('finds the config through GODOCKER_CONFIG and masks secrets in show', async () => {
    const file = await tempFile(
      'g.yaml',
      'store:\n  mongodb:\n    url: mongodb://god:s3cret@db:27017\n' +
        'plugins:\n  ldap:\n    bind_password: opensesame\n    url: ldap://dir\n',
    );
    const r = await god(['config', 'show'], {
      GODOCKER_CONFIG: file,
      GODOCKER_REDIS_PASSWORD: 'hunter2',
      GODOCKER_TOKEN_SECRET: 'x'.repeat(40),
    });
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/s3cret|hunter2|opensesame|xxxxxxxxxx/);
    expect(JSON.parse(r.out)).toMatchObject({
      redis: { password: '********' },
      auth: { token_secret: '********' },
      plugins: { ldap: { bind_password: '********', url: 'ldap://dir' } },
      store: { mongodb: { url: 'mongodb://god:********@db:27017' } },
    });
  });

  it('exits 2 from the real process for a bad config', async () => {
    const file = await tempFile('bad.yaml', 'scheduler:\n  lease:\n    ttl_ms: 100\n');
    const run = promisify(execFile);
    const err = await run(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'packages/cli/src/main.ts',
        'config',
        'check',
        file,
      ],
      { cwd: repo },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain(
      'scheduler.lease.renew_deadline_ms: must be less than ttl_ms',
    );
  });

  it('prints help without any server or config', async () => {
    const r = await god(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('config');
    expect(r.out).toContain('demo');
  });
});

describe('god demo', () => {
  it('runs a sample script as a real container job, as the user, and shows its output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'god-demo-'));
    const redis = new URL(inject('redisUrl'));
    const quiet = silentLogger;
    const r = await god(
      [
        'demo',
        ...['--set', `store.sqlite.path=${join(dir, 'god.db')}`],
        ...['--set', `shared_dir=${join(dir, 'tasks')}`],
        ...['--set', `auth.token_secret_file=${join(dir, 'token-secret')}`],
        ...['--set', `redis.host=${redis.hostname}`, '--set', `redis.port=${redis.port}`],
        ...['--set', `redis.prefix=demo-${process.pid}-${Date.now()}`],
        ...['--set', 'executor=docker'],
        ...['--set', `plugins.docker.docker_host=${inject('dockerHost')}`],
      ],
      {},
      repo,
      quiet,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const states = [...r.out.matchAll(/job \d+: ([a-z]+)/g)].map((m) => m[1]);
    expect(states).toContain('running');
    expect(states.at(-1)).toBe('over');
    expect(r.out).toMatch(/job \d+: over\(success, exit 0\)/);
    const id = /submitted job (\d+)/.exec(r.out)?.[1];
    expect(r.out).toContain(`hello from god job ${id}`);
    // Not the local account (root here): the demo's unprivileged one.
    expect(r.out).toContain('running as: uid=1000 gid=1000');
    const cpus = /cpus ([0-9,-]+)/.exec(r.out)?.[1];
    expect(r.out).toMatch(new RegExp(`Cpus_allowed_list:\\s+${cpus}`));
    expect(r.out).toContain('done counting to 100000');
    expect(r.out).toMatch(/usage: \d+\.\d+ cpu·s/);
  });
});

describe('god maintenance', () => {
  it('sets the cluster-wide flag in Redis and reports it', async () => {
    const url = new URL(inject('redisUrl'));
    const sets = [
      '--set',
      `redis.host=${url.hostname}`,
      '--set',
      `redis.port=${url.port}`,
      '--set',
      `redis.prefix=t${Date.now()}`,
    ];
    expect(await god([...sets, 'maintenance', 'on'])).toMatchObject({
      code: 0,
      out: 'maintenance: on (scheduling paused)',
    });
    expect(await god([...sets, 'maintenance', 'status'])).toMatchObject({
      code: 0,
      out: 'maintenance: on (scheduling paused)',
    });
    expect(await god([...sets, 'maintenance', 'off'])).toMatchObject({
      code: 0,
      out: 'maintenance: off',
    });
    expect(await god([...sets, 'maintenance', 'maybe'])).toMatchObject({ code: 2 });
  });
});
