/**
 * The `god` command end to end: a scheduler, an agent with the docker executor, a watcher and
 * the web API run in this process on a temp SQLite store and the test Redis; an administrator
 * is bootstrapped in the store and creates alice (with a password) through the CLI. Then the
 * CLI runs as a real child process, as a user would run it: login with a password, a job
 * that exits 3 (`submit --wait` exits 3), its output, an array whose tasks all succeed, and a
 * log followed while its job runs.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startAgentProcess, type AgentProcess } from '@god/agent';
import { resolveConfig, type Config, type Job } from '@god/core';
import { startSchedulerProcess, type SchedulerProcess } from '@god/scheduler';
import { startWatcherProcess, type WatcherProcess } from '@god/watcher';
import { startWebProcess, type WebProcess } from '@god/web';
import { waitFor } from '@god/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { removeJobContainers } from '../support/containers.js';
import { silentLogger } from '@god/coord';
import { makeRig, type CliRig, type RunResult } from '../../packages/cli/src/test-cli.js';
import { REPO_ROOT } from './processes.js';

const quiet = silentLogger;

let dir = '';
let config: Config;
let scheduler: SchedulerProcess;
let agent: AgentProcess;
let watcher: WatcherProcess;
let web: WebProcess;
let rig: CliRig;

/** `god <args>` as a child process with the rig's HOME; resolves when it exits. */
function godProcess(
  args: readonly string[],
  opts: { input?: string; env?: Record<string, string>; onOut?: (text: string) => void } = {},
): Promise<RunResult> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOME: rig.home,
    XDG_CONFIG_HOME: rig.configHome,
    ...opts.env,
  };
  // Whatever the test runner put there is not for god; nor is a server from the environment.
  delete env['NODE_OPTIONS'];
  delete env['GOD_SERVER'];
  delete env['GOD_API_KEY'];
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'packages/cli/src/main.ts', ...args],
    { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    opts.onOut?.(d.toString());
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, out, err, prompts: [] }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'god-e2e-cli-'));
  const r = new URL(inject('redisUrl'));
  config = resolveConfig({
    env: {},
    sets: [
      `redis.host=${r.hostname}`,
      `redis.port=${r.port}`,
      `redis.prefix=e2e-cli-${randomBytes(4).toString('hex')}`,
      `store.sqlite.path=${join(dir, 'god.db')}`,
      `shared_dir=${join(dir, 'tasks')}`,
      `auth.token_secret_file=${join(dir, 'token-secret')}`,
      'executor=docker',
      `plugins.docker.docker_host=${inject('dockerHost')}`,
      `plugins.docker.host_name=e2e-cli-${randomBytes(3).toString('hex')}`,
      'plugins.docker.stop_grace_seconds=2',
      'plugins.local.scrypt_log_n=14',
      'scheduler.interval_ms=200',
      'agent.heartbeat_ms=500',
      'web.port=0',
    ],
  });
  agent = await startAgentProcess(config, quiet);
  scheduler = await startSchedulerProcess(config, quiet);
  watcher = await startWatcherProcess(config, quiet);
  web = await startWebProcess(config, quiet);
  rig = await makeRig();

  // A fresh install: the first administrator straight into the store, then alice through the API.
  const sets = [
    `store.sqlite.path=${join(dir, 'god.db')}`,
    `plugins.local.scrypt_log_n=14`,
  ].flatMap((s) => ['--set', s]);
  const boot = await rig.run([
    ...sets,
    'bootstrap-admin',
    'boss',
    '--uid',
    '1000',
    '--gid',
    '1000',
  ]);
  expect(boot.code, boot.err).toBe(0);
  const admin = { GOD_SERVER: web.url, GOD_API_KEY: boot.out.trim() };
  const added = await rig.run(
    ['users', 'add', 'alice', '--uid', '1234', '--gid', '2345', '--password-stdin'],
    { env: admin, stdin: 'alice has a long password\n' },
  );
  expect(added.code, added.err).toBe(0);
  // Every test may run alone: alice is logged in (the first test logs in again, for real).
  const login = await rig.run(
    ['login', '--server', web.url, '--user', 'alice', '--password-stdin'],
    {
      stdin: 'alice has a long password\n',
    },
  );
  expect(login.code, login.err).toBe(0);
});

afterAll(async () => {
  await web?.stop();
  await watcher?.stop();
  await scheduler?.stop();
  await agent?.stop();
  if (config === undefined) return;
  await removeJobContainers(inject('dockerHost'), config.plugins['docker']?.['host_name']);
  await rm(dir, { recursive: true, force: true });
});

describe('the god command end to end', () => {
  it('logs in with a password, submits a job that exits 3 and waits for it, and shows its output', async () => {
    const login = await godProcess(
      ['login', '--server', web.url, '--user', 'alice', '--password-stdin'],
      { input: 'alice has a long password\n' },
    );
    expect(login.err).toBe('');
    expect(login.code).toBe(0);
    expect((await stat(rig.credentials)).mode & 0o777).toBe(0o600);

    const script = join(dir, 'job.sh');
    await writeFile(script, '#!/bin/sh\necho "hello from $GODOCKER_JID as $(id -u)"\nexit 3\n');
    const submitted = await godProcess(['submit', script, '--cpu', '2', '--wait']);
    const id = /submitted job (\d+)/.exec(submitted.out)?.[1];
    expect(id, submitted.err).toBeDefined();
    expect(submitted.err).toContain(`god: job ${id} failed with exit code 3`);
    expect(submitted.code).toBe(3);

    const logs = await godProcess(['logs', id!]);
    expect(logs).toMatchObject({ code: 0, out: `hello from ${id} as 1234\n` });
    const shown = JSON.parse(
      (await rig.run(['show', id!, '--json'], { env: { GOD_SERVER: web.url } })).out,
    ) as Job;
    expect(shown).toMatchObject({
      state: 'over',
      outcome: 'failed',
      requirements: { cpu: 2 },
      status: { exitcode: 3 },
      user: { id: 'alice', uid: 1234 },
    });
  });

  it('waits for an array until every task is done and exits 0', async () => {
    const r = await godProcess([
      'submit',
      '--cmd',
      'echo "task $GODOCKER_TASK_ID"',
      '--ram',
      '128M',
      '--array',
      '1:4',
      '--wait',
    ]);
    expect(r.code, r.err).toBe(0);
    const id = Number(/submitted job (\d+) \(array of 4 tasks\)/.exec(r.out)?.[1]);
    // Not a terminal: plain progress lines, the last one with every task done.
    expect(r.err.trimEnd().split('\n').at(-1)).toBe(`array ${id}: 4/4 tasks done, 0 failed`);
    const tasks = JSON.parse(
      (await godProcess(['list', '--parent', String(id), '--all', '--json'])).out,
    ) as Job[];
    expect(tasks.map((t) => [t.taskId, t.outcome])).toEqual([
      [1, 'success'],
      [2, 'success'],
      [3, 'success'],
      [4, 'success'],
    ]);
    expect((await godProcess(['logs', String(tasks[2]!.id)])).out).toBe('task 3\n');
  });

  it('draws a progress bar for an array on a terminal, and fails when a task fails', async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let drawn = '';
    tty.on('data', (d: Buffer) => (drawn += d.toString()));
    const r = await rig.run(
      [
        'submit',
        '--cmd',
        '[ "$GODOCKER_TASK_ID" != 2 ]',
        '--ram',
        '128M',
        '--array',
        '1:3',
        '--wait',
      ],
      { env: { GOD_SERVER: web.url }, ttyStderr: tty },
    );
    const id = /submitted job (\d+)/.exec(r.out)?.[1];
    expect(r.code).toBe(1);
    expect(drawn).toMatch(new RegExp(`array ${id} \\[[█░]+\\] 3/3 tasks done \\| 1 failed`));
    expect(r.err).toContain(
      `god: array ${id} ended failed: 2 of 3 tasks succeeded, 1 failed, 0 did not run`,
    );
  });

  it('follows the log of a running job as it is written and exits with its exit code', async () => {
    const env = { GOD_SERVER: web.url };
    const submitted = await rig.run(
      [
        'submit',
        '--quiet',
        '--ram',
        '128M',
        '--cmd',
        'echo one; sleep 2; echo two; sleep 2; echo three; exit 5',
      ],
      { env },
    );
    const id = submitted.out.trim();
    expect(id).toMatch(/^\d+$/);
    await waitFor(
      `job ${id} to run`,
      async () => {
        const job = JSON.parse((await rig.run(['show', id, '--json'], { env })).out) as Job;
        return job.state === 'running';
      },
      { timeoutMs: 20_000, everyMs: 100 },
    );
    let firstLineAt = 0;
    const followed = await godProcess(['logs', '-f', id], {
      onOut: (text) => {
        if (firstLineAt === 0 && text.startsWith('one')) firstLineAt = Date.now();
      },
    });
    // The first line came out while the job still had seconds to run, not all at the end.
    expect(Date.now() - firstLineAt).toBeGreaterThan(1_500);
    expect(followed.out).toBe('one\ntwo\nthree\n');
    expect(followed.err).toBe(`god: job ${id} failed with exit code 5\n`);
    expect(followed.code).toBe(5);
  });
});
