/**
 * A real `god web` for the adversarial suite: a child process (`god web`, from the sources, as
 * test/e2e starts roles) on a fresh SQLite store and the test Redis under a random prefix, with
 * two users (alice, bob) and an administrator made in the store as `god users add` would, each
 * with an API key. The test process opens the same store and Redis to seed jobs and to take
 * snapshots; it never talks to the web process other than over HTTP on loopback.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeys, createRedis, type Keys, type Redis } from '@god/coord';
import {
  newJobFromSubmission,
  parseJobSubmission,
  resolveConfig,
  type Config,
  type Job,
  type JobSubmissionInput,
} from '@god/core';
import { createStore, type Store } from '@god/store';
import { makeApiKey } from '@god/web';
import { inject } from 'vitest';
import { describeProcesses, startGod, webUrlOf, type GodProcess } from '../e2e/processes.js';

/** One principal of the suite: a login and its API key. */
export interface Principal {
  id: string;
  uid: number;
  key: string;
}

/** The running god and the handles the tests use to seed and inspect it. */
export interface God {
  url: string;
  dir: string;
  config: Config;
  store: Store;
  redis: Redis;
  keys: Keys;
  proc: GodProcess;
  alice: Principal;
  bob: Principal;
  admin: Principal;
  /** Stores a job of `owner` as if submitted. */
  jobOf(owner: Principal, input?: Partial<JobSubmissionInput>): Promise<Job>;
  /** Moves a job to `over` as the scheduler, agent and watcher would. */
  runToEnd(job: Job): Promise<Job>;
  /** Descriptors the web process holds open now. */
  fds(): Promise<number>;
  /** Resident memory of the web process, bytes. */
  rss(): Promise<number>;
  /** The web process's last log lines (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

/** Starts `god web` with `sets` as extra `--set` overrides. */
export async function startGodWeb(sets: readonly string[] = []): Promise<God> {
  const dir = await mkdtemp(join(tmpdir(), 'god-sec-'));
  const r = new URL(inject('redisUrl'));
  const prefix = `sec-${randomBytes(4).toString('hex')}`;
  const all = [
    `redis.host=${r.hostname}`,
    `redis.port=${r.port}`,
    `redis.prefix=${prefix}`,
    `store.sqlite.path=${join(dir, 'god.db')}`,
    `shared_dir=${join(dir, 'tasks')}`,
    'web.host=127.0.0.1',
    'web.port=0',
    'plugins.local.scrypt_log_n=14',
    'auth.admins=[root-admin]',
    ...sets,
  ];
  const config = resolveConfig({ env: {}, sets: all });
  const store = await createStore(config.store);
  const redis = createRedis(config.redis);
  const keys = createKeys(prefix);
  const now = Date.now();
  const principal = async (id: string, uid: number, admin: boolean): Promise<Principal> => {
    await store.putUser({
      id,
      uid,
      gid: uid,
      sgids: [],
      home: `/home/${id}`,
      email: `${id}@example.org`,
      admin,
      priority: 50,
      quota: null,
      passwordHash: null,
      createdAt: now,
    });
    const made = makeApiKey(id, 'sec', now);
    await store.putApiKey(made.record);
    return { id, uid, key: made.key };
  };
  const alice = await principal('alice', 3101, false);
  const bob = await principal('bob', 3102, false);
  const admin = await principal('root-admin', 3103, true);
  const configFile = join(dir, 'god.yaml');
  await writeFile(configFile, '# every setting comes from --set\n');
  await mkdir(join(dir, 'logs'));
  const args = ['--config', configFile, ...all.flatMap((s) => ['--set', s]), 'web'];
  const proc = startGod('web', args, join(dir, 'logs'));
  let url: string;
  try {
    url = await webUrlOf(proc);
  } catch (err) {
    process.stderr.write(`${describeProcesses([proc])}\n`);
    await proc.stop();
    throw err;
  }
  return {
    url,
    dir,
    config,
    store,
    redis,
    keys,
    proc,
    alice,
    bob,
    admin,
    async jobOf(owner, input = {}) {
      const sub = parseJobSubmission({
        container: { image: 'god-test/busybox:latest' },
        command: { cmd: 'echo hi' },
        ...input,
      });
      const [job] = await store.insertJobs([
        newJobFromSubmission(sub, { id: owner.id, uid: owner.uid, gid: owner.uid, sgids: [] }),
      ]);
      return job!;
    },
    async runToEnd(job) {
      const placement = { host: 'h1', shard: 'numa0', cpus: '0', mems: '0', gpus: [], ports: [] };
      await store.transition(job.id, 'pending', 'scheduled', { placement, epoch: 1 });
      await store.transition(job.id, 'scheduled', 'running', {});
      const t = await store.transition(job.id, 'running', 'over', {
        outcome: 'success',
        exitcode: 0,
      });
      if (!t.ok) throw new Error(`job ${job.id} is ${t.actual}`);
      return t.job;
    },
    fds: async () => (await readdir(`/proc/${proc.pid}/fd`)).length,
    async rss() {
      const status = await readFile(`/proc/${proc.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
      return Number(kb ?? 0) * 1024;
    },
    logs: () => describeProcesses([proc]),
    async stop() {
      await proc.stop();
      redis.disconnect();
      await store.close();
      // rm(1), not fs.rm: jobs of the suite leave trees deeper than PATH_MAX.
      await promisify(execFile)('rm', ['-rf', '--one-file-system', dir]);
    },
  };
}
