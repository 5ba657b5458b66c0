/**
 * The last line of defence before a container is created: whatever built the options (a bug in
 * the spec, a bad grant, a bad config), a container never gets a host path outside what a job may
 * have, never the Docker socket, never privileges or the host's namespaces. It refuses; it does
 * not repair.
 */
import { posix } from 'node:path';
import { GodError } from '@god/core';
import type { ContainerCreateOptions } from 'dockerode';

/** Socket paths no container may see, whatever the configuration says. */
const KNOWN_SOCKETS = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/var/run/containerd/containerd.sock',
  '/run/containerd/containerd.sock',
];

/**
 * Throws a non-retryable GodError when `options` would give the container a dangerous bind
 * (relative, unnormalised, `..`, `/`, a Docker/containerd socket or a directory holding one) or
 * privileges (privileged, added capabilities, devices, host pid/ipc/userns/network namespaces).
 * `sockets`: the configured daemon's socket paths, refused too.
 */
export function assertSafe(options: ContainerCreateOptions, sockets: readonly string[] = []): void {
  const hc = options.HostConfig ?? {};
  const refuse = (why: string): never => {
    throw new GodError('INVALID_INPUT', `container refused: ${why}`);
  };
  if (hc.Privileged === true) refuse('privileged mode');
  const capAdd = listOf(hc.CapAdd);
  if (capAdd.length > 0) refuse(`added capabilities ${capAdd.map(String).join(',')}`);
  if (listOf(hc.Devices).length > 0) refuse('host devices');
  if (listOf(hc.VolumesFrom).length > 0) refuse('volumes from another container');
  for (const [field, value] of [
    ['PidMode', hc.PidMode],
    ['IpcMode', hc.IpcMode],
    ['UsernsMode', hc.UsernsMode],
    ['NetworkMode', hc.NetworkMode],
    ['UTSMode', hc.UTSMode],
  ] as const) {
    if (value === 'host') refuse(`${field} host`);
    if (value?.startsWith('container:') === true) refuse(`${field} ${value}`);
  }
  const forbidden = [...KNOWN_SOCKETS, ...sockets];
  for (const bind of hc.Binds ?? []) checkSource(bindSource(bind), forbidden, refuse);
  for (const mount of hc.Mounts ?? []) {
    if (mount.Type !== 'bind') refuse(`a ${mount.Type} mount at ${mount.Target}`);
    checkSource(mount.Source, forbidden, refuse);
  }
}

/** A list field of the (loosely typed) host config, as an array; anything else set is refused. */
function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The host side of a `src:dst[:opts]` bind. */
function bindSource(bind: string): string {
  const i = bind.indexOf(':');
  return i < 0 ? bind : bind.slice(0, i);
}

function checkSource(
  source: string,
  sockets: readonly string[],
  refuse: (w: string) => never,
): void {
  const shown = JSON.stringify(source);
  if (!source.startsWith('/')) refuse(`mount source ${shown} is not absolute`);
  if (source.split('/').includes('..')) refuse(`mount source ${shown} contains ..`);
  if (posix.normalize(source) !== source || (source.length > 1 && source.endsWith('/')))
    refuse(`mount source ${shown} is not normalised`);
  if (source === '/') refuse('mount of the host root /');
  if (isDaemonSocket(source)) refuse(`mount source ${shown} is a container daemon socket`);
  for (const socket of sockets) {
    if (source === socket || source.startsWith(`${socket}/`))
      refuse(`mount source ${shown} is the Docker socket ${socket}`);
    if (socket.startsWith(`${source}/`))
      refuse(`mount source ${shown} holds the Docker socket ${socket}`);
  }
}

/** A `*.sock` of Docker or containerd (by its path), or a path inside one. */
function isDaemonSocket(path: string): boolean {
  const sock = path.split('/').some((segment) => /\.sock(\.[a-z]+)?$/.test(segment));
  return sock && /docker|containerd/.test(path);
}
