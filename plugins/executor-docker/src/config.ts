/**
 * The docker executor's settings (`plugins.docker`): which daemon, how containers are confined
 * (network, pids, cgroup parent, stop grace), how images are pulled (with registry credentials
 * that are never logged), and the host model used when the agent gives none.
 */
import { hostname } from 'node:os';
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);
/** A cgroup path segment or slice prefix: no `/`, no `..`, nothing systemd would escape. */
const cgroupName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only');

/** Credentials for one registry (Docker's `auth` object for pulls). */
const RegistrySchema = z.strictObject({
  /** Registry host as in image names (`registry.example.org:5000`, `docker.io`). */
  server: z.string().min(1),
  username: z.string().min(1),
  password: z.string().min(1),
});

/** The docker executor's config section (strict; every key has a default). */
export const DockerExecutorConfigSchema = z.strictObject({
  /**
   * The daemon: a unix socket path, `unix://…`, `tcp://host:port` or `http(s)://…`; empty means
   * DOCKER_HOST, else /var/run/docker.sock (resolved by the process, not here).
   */
  docker_host: z.string().default(''),
  /** This host's name as god knows it (placements name it); empty means the OS host name. */
  host_name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only')
    .default(''),
  /** Docker network of job containers; `none` isolates them (and cannot map ports). */
  network: z
    .string()
    .min(1)
    .refine((n) => n !== 'host' && !n.startsWith('container:'), 'host networking is refused')
    .default('none'),
  /** Most processes/threads a job may have at once. */
  pids_limit: z.number().int().min(16).default(4096),
  /** Seconds between SIGTERM and SIGKILL when a job is killed. */
  stop_grace_seconds: z.number().int().min(0).max(3600).default(10),
  /** `missing`: pull an image that is not on the host; `never`: only use local images. */
  pull: z.enum(['missing', 'never']).default('missing'),
  /** Credentials for pulls (never logged, never written into containers or labels). */
  registries: z.array(RegistrySchema).default([]),
  /** The device driver of GPU requests (`nvidia`). */
  gpu_driver: z.string().min(1).default('nvidia'),
  /** Cgroup under which each job gets its own parent (`/god/job-<id>-<attempt>`). */
  cgroup_parent: cgroupName.default('god'),
  /** Where the cgroup filesystem is mounted (tests may point elsewhere). */
  cgroup_root: z.string().startsWith('/').default('/sys/fs/cgroup'),
  /** Host labels for placement constraints, when the agent gives no host model. */
  labels: z.record(z.string(), z.string()).default({}),
  /** Users and projects this host is reserved for; null: everyone. */
  reserved_for: z
    .strictObject({
      users: z.array(z.string()).default([]),
      projects: z.array(z.string()).default([]),
    })
    .nullable()
    .default(null),
  /** Host ports for mapped container ports, inclusive; null: no port mapping here. */
  port_range: z
    .tuple([port, port])
    .refine(([low, high]) => low <= high, 'the first port must not be above the last')
    .nullable()
    .default(null),
});

/** The resolved docker executor settings. */
export type DockerExecutorConfig = z.output<typeof DockerExecutorConfigSchema>;

/** Where the daemon is, as dockerode wants it. */
export type DaemonAddress =
  { socketPath: string } | { protocol: 'http' | 'https'; host: string; port: number };

/**
 * The daemon address of `setting`, falling back to `env` (DOCKER_HOST) and then to the default
 * socket. Throws a TypeError on a form it does not understand (the config check reports it).
 */
export function resolveDockerHost(setting: string, env: string | undefined): DaemonAddress {
  const raw = setting !== '' ? setting : env !== undefined && env !== '' ? env : '';
  if (raw === '') return { socketPath: '/var/run/docker.sock' };
  if (raw.startsWith('/')) return { socketPath: raw };
  const url = new URL(raw);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  const tls = url.protocol === 'https:';
  if (!tls && url.protocol !== 'tcp:' && url.protocol !== 'http:')
    throw new TypeError(`docker_host: unsupported scheme ${url.protocol}`);
  const portNumber = url.port === '' ? (tls ? 2376 : 2375) : Number(url.port);
  return { protocol: tls ? 'https' : 'http', host: url.hostname, port: portNumber };
}

/** The host name of `setting`, or the OS's. */
export function resolveHostName(setting: string): string {
  return setting !== '' ? setting : hostname();
}
