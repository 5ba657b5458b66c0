/**
 * A real web process for tests: a temp SQLite store and task directory, the test Redis under a
 * random prefix, the local auth plugin. Users are made in the store (as `god users add` would)
 * with an API key each; `client(user)` talks HTTP to the process like the CLI does.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '@god/auth-local';
import { ApiError, GodClient } from '@god/client';
import { silentLogger } from '@god/coord';
import {
  newJobFromSubmission,
  parseJobSubmission,
  resolveConfig,
  taskDirOf,
  type Config,
  type Job,
  type JobSubmissionInput,
} from '@god/core';
import type { Store } from '@god/store';
import { inject } from 'vitest';
import { makeApiKey } from './auth/api-keys.js';
import { startWebProcess, type WebProcess } from './main.js';

/** Silent logger. */
export const quiet = silentLogger;

/** The ApiError a call rejects with (throws when it resolves or fails otherwise). */
export async function failure(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

/** A test user: their API key and a client using it. */
export interface TestUser {
  id: string;
  uid: number;
  key: string;
  client: GodClient;
}

/** One web process on a fresh store. */
export class WebHarness {
  private constructor(
    readonly dir: string,
    readonly config: Config,
    readonly web: WebProcess,
  ) {}

  /** Starts a web process; `sets` are extra `path=value` config overrides. */
  static async start(sets: string[] = []): Promise<WebHarness> {
    const dir = await mkdtemp(join(tmpdir(), 'god-web-'));
    const r = new URL(inject('redisUrl'));
    const config = resolveConfig({
      sets: [
        `redis.host=${r.hostname}`,
        `redis.port=${r.port}`,
        `redis.prefix=web-${randomBytes(4).toString('hex')}`,
        `store.sqlite.path=${join(dir, 'god.db')}`,
        `shared_dir=${join(dir, 'tasks')}`,
        `auth.token_secret_file=${join(dir, 'token-secret')}`,
        'web.port=0',
        'plugins.local.scrypt_log_n=14',
        'auth.admins=[root-admin]',
        ...sets,
      ],
    });
    return new WebHarness(dir, config, await startWebProcess(config, quiet));
  }

  get store(): Store {
    return this.web.ctx.store;
  }

  get url(): string {
    return this.web.url;
  }

  /** A client without credentials (or with `credential`). */
  client(credential?: string): GodClient {
    return new GodClient({ server: this.url, ...(credential !== undefined && { credential }) });
  }

  /** Makes a user in the store with an API key (and a password when given). */
  async user(
    id: string,
    opts: { admin?: boolean; password?: string; uid?: number } = {},
  ): Promise<TestUser> {
    const uid = opts.uid ?? 2000 + (Math.abs(hash(id)) % 5000);
    await this.store.putUser({
      id,
      uid,
      gid: uid,
      sgids: [],
      home: `/home/${id}`,
      email: `${id}@example.org`,
      admin: opts.admin === true,
      priority: 50,
      quota: null,
      passwordHash:
        opts.password === undefined
          ? null
          : await hashPassword(opts.password, { logN: 14, r: 8, p: 1 }),
      createdAt: Date.now(),
    });
    const made = makeApiKey(id, 'test', Date.now());
    await this.store.putApiKey(made.record);
    return { id, uid, key: made.key, client: this.client(made.key) };
  }

  /** Stores a job of `owner` directly (as if submitted), in the state given. */
  async jobOf(owner: TestUser, input: Partial<JobSubmissionInput> = {}): Promise<Job> {
    const sub = parseJobSubmission({
      container: { image: 'god-test/busybox:latest' },
      command: { cmd: 'echo hi' },
      ...input,
    });
    const [job] = await this.store.insertJobs([
      newJobFromSubmission(sub, { id: owner.id, uid: owner.uid, gid: owner.uid, sgids: [] }),
    ]);
    return job!;
  }

  /** Writes a file into a job's task directory, as the job would. */
  async writeTaskFile(job: Job, name: string, text: string): Promise<string> {
    const dir = taskDirOf(this.config.shared_dir, job);
    await mkdir(dir, { recursive: true });
    const path = join(dir, name);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text);
    return path;
  }

  /** Moves a job along edges as the scheduler and agent would. */
  async runToEnd(job: Job, exitcode = 0): Promise<Job> {
    const placement = { host: 'h1', shard: 'numa0', cpus: '0', mems: '0', gpus: [], ports: [] };
    await this.store.transition(job.id, 'pending', 'scheduled', { placement, epoch: 1 });
    await this.store.transition(job.id, 'scheduled', 'running', {});
    const r = await this.store.transition(job.id, 'running', 'over', {
      outcome: exitcode === 0 ? 'success' : 'failed',
      exitcode,
    });
    if (!r.ok) throw new Error(`job ${job.id} is ${r.actual}`);
    return r.job;
  }

  async stop(): Promise<void> {
    await this.web.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
