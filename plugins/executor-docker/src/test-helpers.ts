/**
 * Test support: job builders, an executor on the test daemon with a temp shared_dir, a recording
 * logger, polling paced for the daemon, and cleanup of every container a test host made.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { makeJob as kitMakeJob, makePlacement, waitFor, type Truthy } from '@god/testkit';
import { resolveConfig, type ExitReport, type Job, type ResolvedMount } from '@god/core';
import {
  DockerExecutorConfigSchema,
  resolveDockerHost,
  type DockerExecutorConfig,
} from './config.js';
import { createDockerExecutor, type DockerExecutor } from './docker-executor.js';
import { removeJobCgroup } from './cgroup.js';
import { parseLabels } from './report.js';
import { LABELS } from './spec.js';

const silent = recordingLogger().logger;

/** The image of the test daemon (static busybox). */
export const TEST_IMAGE = 'god-test/busybox:latest';

/** What a test job may set. */
export interface JobShape {
  cmd: string;
  uid?: number;
  gid?: number;
  sgids?: number[];
  root?: boolean;
  ramGB?: number;
  /** Exact bytes (wins over ramGB). */
  ramBytes?: number;
  /** Cores asked for (default 1). */
  cpu?: number;
  cpus?: string;
  attempt?: number;
  image?: string;
  ports?: number[];
  hostPorts?: number[];
  env?: Record<string, string>;
  taskId?: number | null;
}

/** A running job `id` placed on `host`, shard numa0, every field filled. */
export function makeJob(id: number, host: string, shape: JobShape): Job {
  return kitMakeJob(id, {
    state: 'running',
    user: { uid: shape.uid ?? 1001, gid: shape.gid ?? 1001, sgids: shape.sgids ?? [] },
    requirements: {
      cpu: shape.cpu ?? 1,
      ram: shape.ramBytes ?? Math.round((shape.ramGB ?? 0.25) * 2 ** 30),
      ports: shape.ports ?? [],
    },
    container: { image: shape.image ?? TEST_IMAGE, root: shape.root ?? false },
    command: { cmd: shape.cmd },
    env: shape.env ?? {},
    taskId: shape.taskId ?? null,
    status: { primary: 'running', secondary: '' },
    placement: { ...makePlacement(host), cpus: shape.cpus ?? '0', ports: shape.hostPorts ?? [] },
    epoch: 7,
    attempts: shape.attempt ?? 1,
  });
}

/** A logger that keeps every line (message and fields) for assertions. */
export function recordingLogger(): {
  logger: { [K in 'debug' | 'info' | 'warn' | 'error']: (f: object, m: string) => void };
  lines: string[];
} {
  const lines: string[] = [];
  const put = (level: string) => (fields: object, msg: string) => {
    lines.push(`${level} ${msg} ${JSON.stringify(fields, errorFields)}`);
  };
  return {
    logger: { debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error') },
    lines,
  };
}

function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error ? { ...value, message: value.message } : value;
}

/** An executor for one test host on the daemon at `dockerHost`, with its temp shared dir. */
export interface TestRig {
  executor: DockerExecutor;
  sharedDir: string;
  hostName: string;
  lines: string[];
  reports: ExitReport[];
  /** Another executor instance on the same host (an agent restart). */
  reopen(): DockerExecutor;
}

/** Settings of the test executors (a short stop grace keeps kill tests fast). */
export function testSettings(
  dockerHost: string,
  over: Partial<DockerExecutorConfig> = {},
): DockerExecutorConfig {
  return DockerExecutorConfigSchema.parse({
    docker_host: dockerHost,
    pull: 'never',
    stop_grace_seconds: 20,
    ...over,
  });
}

/** A rig on host `hostName` whose executor records every report in `reports`. */
export async function makeRig(
  dockerHost: string,
  hostName: string,
  options: {
    settings?: Partial<DockerExecutorConfig>;
    mounts?: (job: Job) => Promise<ResolvedMount[]>;
  } = {},
): Promise<TestRig> {
  const sharedDir = await mkdtemp(join(tmpdir(), 'god-docker-exec-'));
  const { logger, lines } = recordingLogger();
  const settings = testSettings(dockerHost, { host_name: hostName, ...options.settings });
  const config = resolveConfig({ sets: [`shared_dir=${sharedDir}`] });
  const open = (): DockerExecutor =>
    createDockerExecutor(
      { settings, daemon: resolveDockerHost(settings.docker_host, undefined), hostName },
      {
        logger,
        now: Date.now,
        config,
        ...(options.mounts !== undefined && { resolveMounts: options.mounts }),
      },
    );
  const reports: ExitReport[] = [];
  const executor = open();
  executor.onExit((r) => {
    reports.push(r);
  });
  return { executor, sharedDir, hostName, lines, reports, reopen: open };
}

/** The daemon client tests use to look at containers directly. */
export function dockerAt(dockerHost: string): Docker {
  return new Docker(resolveDockerHost(dockerHost, undefined));
}

/** Removes every container of test host `hostName` and the rig's shared dir. */
export async function cleanupRig(dockerHost: string, rig: TestRig): Promise<void> {
  await rig.executor.close();
  const docker = dockerAt(dockerHost);
  const all = await docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.host}=${rig.hostName}`] },
  });
  await Promise.all(all.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  const layout = { driver: 'cgroupfs', version: 1, root: '/sys/fs/cgroup' } as const;
  for (const c of all) {
    const run = parseLabels(c.Labels);
    if (run !== null) await removeJobCgroup(layout, `god/job-${run.jobId}-${run.attempt}`, silent);
  }
  await rm(rig.sharedDir, { recursive: true, force: true });
}

/** `waitFor` paced for the daemon: containers stop within the 20 s grace, polled every 100 ms. */
export function waitForDocker<T>(what: string, check: () => T | Promise<T>): Promise<Truthy<T>> {
  return waitFor(what, check, { timeoutMs: 20_000, everyMs: 100 });
}
