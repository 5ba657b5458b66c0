/**
 * The container a job runs in, as Docker's create options: pure, so every security-relevant
 * choice (user and groups, capabilities, cpuset, memory without swap, mounts, network) is
 * decided and unit-tested in one place. The executor only adds I/O around it.
 */
import {
  GodError,
  TASK_MOUNT,
  ValidationError,
  type Job,
  type Placement,
  type ResolvedMount,
} from '@god/core';
import type { ContainerCreateOptions, MountSettings } from 'dockerode';
import type { DockerExecutorConfig } from './config.js';

/** Labels god puts on its containers (and finds them by). */
export const LABELS = {
  job: 'god.job',
  attempt: 'god.attempt',
  epoch: 'god.epoch',
  user: 'god.user',
  host: 'god.host',
  /** Requested RAM (bytes) and GPU count: usage is computed from them after a restart too. */
  ramBytes: 'god.ram_bytes',
  /** RAM in GB, on containers made before RAM was counted in bytes (read only). */
  ramGB: 'god.ram_gb',
  gpus: 'god.gpus',
} as const;

/** The script's file name in the task directory. */
export const SCRIPT_NAME = 'god.sh';

/** Everything a container spec is built from. */
export interface SpecInput {
  job: Job;
  placement: Placement;
  settings: Pick<
    DockerExecutorConfig,
    'network' | 'pids_limit' | 'gpu_driver' | 'stop_grace_seconds'
  >;
  /** This host's name (label only). */
  hostName: string;
  /** The granted mounts (the task directory is added here, not by the caller). */
  mounts: readonly ResolvedMount[];
  /** The job's task directory on the host. */
  taskDir: string;
  /** The cpuset of the placed cores with their hyperthreads. */
  cpuset(cores: string): string;
  /** The per-job cgroup parent (see cgroup.ts). */
  cgroupParent: string;
}

/** The name of a job's container for one attempt. */
export function containerName(jobId: number, attempt: number): string {
  return `god-${jobId}-${attempt}`;
}

/** The create options of `input.job`'s container; throws a non-retryable GodError if it cannot run. */
export function buildContainerSpec(input: SpecInput): ContainerCreateOptions {
  const { job, placement, settings } = input;
  const root = job.container.root;
  const { exposed, bindings } = portSpec(job, placement, settings.network);
  const memory = job.requirements.ram;
  return {
    name: containerName(job.id, job.attempts),
    Image: job.container.image,
    Labels: labelsOf(job, input.hostName),
    User: root ? '0:0' : `${job.user.uid}:${job.user.gid}`,
    Env: envOf(job, input.mounts),
    Cmd: commandOf(job.command.cmd),
    // Without an entrypoint of the image's: the command above is the whole story.
    Entrypoint: [],
    WorkingDir: TASK_MOUNT,
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: exposed,
    StopTimeout: settings.stop_grace_seconds,
    HostConfig: {
      // A tiny init as PID 1 forwards SIGTERM to the script (a shell as PID 1 ignores it).
      Init: true,
      CpusetCpus: input.cpuset(placement.cpus),
      CpusetMems: placement.mems,
      Memory: memory,
      MemorySwap: memory,
      PidsLimit: settings.pids_limit,
      SecurityOpt: ['no-new-privileges'],
      ...(root ? {} : { CapDrop: ['ALL'], GroupAdd: job.user.sgids.map(String) }),
      Privileged: false,
      ReadonlyRootfs: false,
      NetworkMode: settings.network,
      PortBindings: bindings,
      CgroupParent: input.cgroupParent,
      Mounts: mountsOf(input.taskDir, input.mounts),
      AutoRemove: false,
      RestartPolicy: { Name: 'no' },
      ...(placement.gpus.length > 0 && {
        DeviceRequests: [
          {
            Driver: settings.gpu_driver,
            DeviceIDs: placement.gpus.map(String),
            Capabilities: [['gpu']],
          },
        ],
      }),
    },
  };
}

/** The labels of a job's container: who and what, never a secret. */
export function labelsOf(job: Job, hostName: string): Record<string, string> {
  return {
    [LABELS.job]: String(job.id),
    [LABELS.attempt]: String(job.attempts),
    [LABELS.epoch]: String(job.epoch),
    [LABELS.user]: job.user.id,
    [LABELS.host]: hostName,
    [LABELS.ramBytes]: String(job.requirements.ram),
    [LABELS.gpus]: String(job.requirements.gpus),
  };
}

/**
 * The script's environment: the job's variables, then god's (`GODOCKER_JID`, `_PWD`, `_HOME`,
 * which the job cannot override), and an array task's variables when the job lacks them.
 */
export function envOf(job: Job, mounts: readonly ResolvedMount[]): string[] {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(job.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new ValidationError('job environment', [
        { path: `env.${name}`, message: 'not a valid variable name' },
      ]);
    env[name] = value;
  }
  env['GODOCKER_JID'] = String(job.id);
  env['GODOCKER_PWD'] = TASK_MOUNT;
  env['GODOCKER_HOME'] = mounts.find((m) => m.name === 'home')?.target ?? TASK_MOUNT;
  if (job.taskId !== null) env['GODOCKER_TASK_ID'] ??= String(job.taskId);
  const spec = job.requirements.array;
  if (spec !== null) {
    env['GODOCKER_TASK_FIRST'] ??= String(spec.first);
    env['GODOCKER_TASK_LAST'] ??= String(spec.last);
    env['GODOCKER_TASK_STEP'] ??= String(spec.step);
  }
  return Object.entries(env).map(([name, value]) => `${name}=${value}`);
}

/**
 * The container's command: the script in the task directory, run by its own interpreter when it
 * has a shebang, else by `/bin/sh`, with stdout and stderr to `god.log` / `god.err` there.
 * Only `/bin/sh` is needed in the image.
 */
export function commandOf(script: string): string[] {
  const run = script.startsWith('#!') ? 'exec "$0"' : 'exec /bin/sh "$0"';
  return [
    '/bin/sh',
    '-c',
    `${run} >"$GODOCKER_PWD/god.log" 2>"$GODOCKER_PWD/god.err"`,
    `${TASK_MOUNT}/${SCRIPT_NAME}`,
  ];
}

/** The task directory (read-write at TASK_MOUNT) and the granted mounts, as bind mounts. */
export function mountsOf(taskDir: string, mounts: readonly ResolvedMount[]): MountSettings[] {
  const all = [
    { source: taskDir, target: TASK_MOUNT, readOnly: false },
    ...mounts.filter((m) => m.target !== TASK_MOUNT),
  ];
  return all.map((m) => ({
    Type: 'bind',
    Source: m.source,
    Target: m.target,
    ReadOnly: m.readOnly,
    // No propagation of mounts made later under the source into the container, or back.
    BindOptions: { Propagation: 'rprivate' },
  }));
}

/** Exposed ports and their bindings: container port `ports[i]` -> host port `placement.ports[i]`. */
export function portSpec(
  job: Job,
  placement: Placement,
  network: string,
): {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, Array<{ HostPort: string }>>;
} {
  const wanted = job.requirements.ports;
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, Array<{ HostPort: string }>> = {};
  if (wanted.length === 0) return { exposed, bindings };
  if (network === 'none')
    throw new GodError(
      'INVALID_INPUT',
      `the job maps ports but this host's docker network is 'none' (no port mapping possible)`,
    );
  if (placement.ports.length !== wanted.length)
    throw new GodError(
      'INVALID_INPUT',
      `the placement gives ${placement.ports.length} host ports for ${wanted.length} container ports`,
    );
  wanted.forEach((containerPort, i) => {
    const key = `${containerPort}/tcp`;
    exposed[key] = {};
    bindings[key] = [{ HostPort: String(placement.ports[i]) }];
  });
  return { exposed, bindings };
}
