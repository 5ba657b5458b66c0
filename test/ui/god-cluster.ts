/**
 * A whole god for the UI's end-to-end tests, as real as it runs in production on one machine:
 * `god web`, `god scheduler`, `god agent` (docker executor on the test dockerd, busybox image
 * `god-test/busybox:latest`), `god watcher` and `god archiver` as separate child processes
 * (test/e2e/processes.ts), on a fresh SQLite store, the test Redis under a random key prefix
 * and a temp task directory. The first administrator comes from `god bootstrap-admin`, as on a
 * fresh install; users are created through the API with the local auth plugin's passwords.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GodClient } from '@god/client';
import { resolveConfig, taskDirOf, type Config, type Job } from '@god/core';
import { services } from '@god/testkit';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  describeProcesses,
  readLogLines,
  runGod,
  startGod,
  until,
  webUrlOf,
  type GodProcess,
} from '../e2e/processes.js';
import { removeJobContainers } from '../support/containers.js';

/** The container image of the tests' jobs: busybox, with /bin/sh. */
export const IMAGE = 'god-test/busybox:latest';

/** The roles started, each as its own process. */
export const ROLES = ['web', 'scheduler', 'agent', 'watcher', 'archiver'] as const;

/** A user made by `createUser`: the credentials a person types, and an API client as them. */
export interface ClusterUser {
  login: string;
  password: string;
  uid: number;
  gid: number;
  /** The API as this user (an API key made by the administrator for them). */
  client: GodClient;
}

/** A running god and what the tests use of it. */
export interface GodCluster {
  /** `http://127.0.0.1:<port>` of god web: the UI at `/`, the API at `/api/v1`. */
  readonly baseUrl: string;
  /** The administrator's login (`boss`) and API key, from `god bootstrap-admin`. */
  readonly admin: string;
  readonly adminKey: string;
  /** Temp directory: store, task directory, process logs (`logs/<role>.std{out,err}.log`). */
  readonly dir: string;
  /** The configuration every process runs with (store path, shared_dir, …). */
  readonly config: Config;
  readonly procs: readonly GodProcess[];
  /** Creates a user with a password (local auth) through the API as the administrator. */
  createUser(login: string, password: string, uid: number, gid: number): Promise<ClusterUser>;
  /** A client of the API with `credential` (an API key or token); the administrator's by default. */
  api(credential?: string): GodClient;
  /** Pauses or resumes scheduling with `god maintenance on|off` (jobs wait, pending). */
  maintenance(on: boolean): Promise<void>;
  /** Lets a job of `gatedScript` end: creates `file` (`go`) in its task directory. */
  release(job: Pick<Job, 'id' | 'user'>, file?: string): Promise<void>;
  /** Where each process's logs are, and their last lines. */
  logs(): string;
  /** Stops every process (printing their logs when one had died), removes its containers and files. */
  stop(): Promise<void>;
}

/** Options of `startCluster`. */
export interface ClusterOptions {
  /** Extra `--set` overrides, applied after the harness's own. */
  sets?: readonly string[];
  /** Names the temp directory and the executor host (`god-ui-<name>-…`). */
  name?: string;
}

/**
 * A job script that prints `lines`, then runs until the test calls `release`: a test sees the
 * job running for as long as it needs, with no timing assumptions.
 */
export function gatedScript(lines: readonly string[] = []): string {
  const echo = lines.map((l) => `echo '${l.replace(/'/g, `'\\''`)}'\n`).join('');
  return `${echo}while [ ! -e "$GODOCKER_PWD/go" ]; do sleep 0.1; done\n`;
}

/** The `--set` overrides of every process. */
function settings(dir: string, name: string, extra: readonly string[]): string[] {
  const redis = new URL(services.redisUrl());
  const suffix = randomBytes(4).toString('hex');
  return [
    `redis.host=${redis.hostname}`,
    `redis.port=${redis.port}`,
    `redis.prefix=ui-${name}-${suffix}`,
    `store.sqlite.path=${join(dir, 'god.db')}`,
    `shared_dir=${join(dir, 'tasks')}`,
    `auth.token_secret_file=${join(dir, 'token-secret')}`,
    'executor=docker',
    `plugins.docker.docker_host=${services.dockerHost()}`,
    `plugins.docker.host_name=ui-${name}-${suffix}`,
    'plugins.docker.stop_grace_seconds=1',
    // Fast password hashing: logins are many, and the cost is not what is tested.
    'plugins.local.scrypt_log_n=14',
    `defaults.image=${IMAGE}`,
    // What the UI's submit form offers, preselected.
    `images=[{name: busybox, url: "${IMAGE}", default: true}]`,
    'scheduler.interval_ms=200',
    'agent.heartbeat_ms=500',
    // Live usage samples every second: the job page's chart gets points within seconds.
    'agent.usage_sample_s=1',
    'web.host=127.0.0.1',
    'web.port=0',
    ...extra,
  ];
}

/** Runs `god bootstrap-admin boss` on the store: the administrator's API key. */
async function bootstrapAdmin(args: readonly string[], logs: string): Promise<string> {
  const boot = await runGod(
    'bootstrap-admin',
    [...args, 'bootstrap-admin', 'boss', '--uid', '1000', '--gid', '1000'],
    logs,
  );
  if (boot.code !== 0) throw new Error(`god bootstrap-admin failed (${boot.code}): ${boot.err}`);
  return boot.out.trim();
}

/** Waits until every role logged that it started and the scheduler holds the lease. */
async function ready(procs: readonly GodProcess[], admin: GodClient): Promise<void> {
  for (const p of procs)
    await until(
      `${p.name} to start`,
      () => Promise.resolve(readLogLines(p.stderrPath).some((l) => l.msg === `${p.name} started`)),
      60_000,
      procs,
    );
  await until(
    'a scheduler leader',
    async () => (await admin.health()).scheduler?.leader != null,
    30_000,
    procs,
  );
}

/** Starts god (every role, in parallel) and resolves once it serves and schedules. */
export async function startCluster(opts: ClusterOptions = {}): Promise<GodCluster> {
  const name = opts.name ?? 'e2e';
  const dir = await mkdtemp(join(tmpdir(), `god-ui-${name}-`));
  const logs = join(dir, 'logs');
  await mkdir(logs);
  const sets = settings(dir, name, opts.sets ?? []);
  const configFile = join(dir, 'god.yaml');
  await writeFile(configFile, '# every setting comes from --set\n');
  const args = ['--config', configFile, ...sets.flatMap((s) => ['--set', s])];
  const config = resolveConfig({ env: {}, sets });
  const procs: GodProcess[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(procs.map((p) => p.stop()));
    await removeJobContainers(services.dockerHost(), config.plugins['docker']?.['host_name']);
    // rm(1), not fs.rm: task directories may be deeper than PATH_MAX.
    await promisify(execFile)('rm', ['-rf', '--one-file-system', dir]);
  };
  let baseUrl: string;
  let adminKey: string;
  try {
    // The roles open the store concurrently anyway: the administrator is made meanwhile.
    const admin = bootstrapAdmin(args, logs);
    for (const role of ROLES) procs.push(startGod(role, [...args, role], logs));
    [adminKey, baseUrl] = await Promise.all([admin, webUrlOf(procs[0]!)]);
    await ready(procs, new GodClient({ server: baseUrl, credential: adminKey }));
  } catch (err) {
    process.stderr.write(`${describeProcesses(procs)}\n`);
    await cleanup();
    throw err;
  }
  const api = (credential = adminKey): GodClient => new GodClient({ server: baseUrl, credential });
  return {
    baseUrl,
    admin: 'boss',
    adminKey,
    dir,
    config,
    procs,
    api,
    async createUser(login, password, uid, gid) {
      const admin = api();
      await admin.createUser({ id: login, uid, gid, password });
      const { key } = await admin.createKey('e2e', { user: login });
      return { login, password, uid, gid, client: api(key) };
    },
    async maintenance(on) {
      const r = await runGod('maintenance', [...args, 'maintenance', on ? 'on' : 'off'], logs);
      if (r.code !== 0) throw new Error(`god maintenance failed (${r.code}): ${r.err}`);
    },
    async release(job, file = 'go') {
      await writeFile(join(taskDirOf(config.shared_dir, job), file), '');
    },
    logs: () => describeProcesses(procs),
    async stop() {
      // A role that died before the end is a failure of the run, whatever the tests said.
      const died = procs.filter((p) => p.exit() !== null);
      if (died.length > 0) process.stderr.write(`${describeProcesses(procs)}\n`);
      await cleanup();
      if (died.length > 0)
        throw new Error(`god ${died.map((p) => p.name).join(', ')} ended before the tests did`);
    },
  };
}

/**
 * One cluster for the calling test file: started in beforeAll, its logs printed after a failed
 * test, stopped in afterAll. Read it with `cluster()` inside tests and hooks.
 */
export function useCluster(opts: ClusterOptions = {}): () => GodCluster {
  let running: GodCluster | undefined;
  let printed = false;
  beforeAll(async () => {
    running = await startCluster(opts);
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail' || running === undefined || printed) return;
    printed = true;
    process.stderr.write(`${running.logs()}\n`);
  });
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (running === undefined) throw new Error('the god cluster did not start (see beforeAll)');
    return running;
  };
}
