/** The docker executor's settings: defaults, refusals, and where the daemon is. */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DockerExecutorConfigSchema, resolveDockerHost, resolveHostName } from './config.js';
import { fallbackHost } from './host.js';

describe('DockerExecutorConfigSchema', () => {
  it('fills every default', () => {
    expect(DockerExecutorConfigSchema.parse({})).toEqual({
      docker_host: '',
      host_name: '',
      network: 'none',
      pids_limit: 4096,
      stop_grace_seconds: 10,
      pull: 'missing',
      registries: [],
      gpu_driver: 'nvidia',
      cgroup_parent: 'god',
      cgroup_root: '/sys/fs/cgroup',
      labels: {},
      reserved_for: null,
      port_range: null,
    });
  });

  it.each([
    [{ network: 'host' }, 'network'],
    [{ network: 'container:x' }, 'network'],
    [{ pull: 'always' }, 'pull'],
    [{ cgroup_parent: '../escape' }, 'cgroup_parent'],
    [{ cgroup_parent: 'a/b' }, 'cgroup_parent'],
    [{ port_range: [30000, 20000] }, 'port_range'],
    [{ registries: [{ server: 'r', username: 'u' }] }, 'registries'],
    [{ unknown: 1 }, ''],
  ])('refuses %j', (value, path) => {
    const res = DockerExecutorConfigSchema.safeParse(value);
    expect(res.success).toBe(false);
    expect(res.error?.issues[0]?.path.join('.') ?? '').toContain(path);
  });
});

describe('resolveDockerHost', () => {
  it('prefers the setting, then DOCKER_HOST, then the default socket', () => {
    expect(resolveDockerHost('/a.sock', 'unix:///b.sock')).toEqual({ socketPath: '/a.sock' });
    expect(resolveDockerHost('', 'unix:///b.sock')).toEqual({ socketPath: '/b.sock' });
    expect(resolveDockerHost('', undefined)).toEqual({ socketPath: '/var/run/docker.sock' });
  });

  it('reads tcp and https addresses with their default ports', () => {
    expect(resolveDockerHost('tcp://10.0.0.1', undefined)).toEqual({
      protocol: 'http',
      host: '10.0.0.1',
      port: 2375,
    });
    expect(resolveDockerHost('https://d.example:3000', undefined)).toEqual({
      protocol: 'https',
      host: 'd.example',
      port: 3000,
    });
    expect(() => resolveDockerHost('ssh://x', undefined)).toThrow(/unsupported scheme/);
  });
});

describe('host model fallback', () => {
  it('is one shard with every CPU and all RAM, named as configured', () => {
    const settings = DockerExecutorConfigSchema.parse({
      labels: { gpu: 'no' },
      port_range: [20000, 20010],
    });
    const model = fallbackHost(resolveHostName('n1'), settings, 4, 16.5 * 1024 ** 3);
    expect(model.info).toEqual({
      name: 'n1',
      labels: { gpu: 'no' },
      shards: [{ id: 'numa0', mems: '0', cores: [0, 1, 2, 3], ramGB: 16, gpus: [] }],
      reservedFor: null,
      portRange: [20000, 20010],
    });
    expect(model.cpuset('1-2')).toBe('1-2');
    expect(resolveHostName('')).toBe(hostname());
  });
});
