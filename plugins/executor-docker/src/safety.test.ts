/** assertSafe: each refusal, and what it lets through. */
import { describe, expect, it } from 'vitest';
import { GodError } from '@god/core';
import type { ContainerCreateOptions, HostConfig, MountSettings } from 'dockerode';
import { assertSafe } from './safety.js';

/** A configured daemon socket whose name says nothing of Docker. */
const SOCKET = '/srv/engine/api.sock';

function withHost(hc: HostConfig): ContainerCreateOptions {
  return { Image: 'i', HostConfig: { NetworkMode: 'none', ...hc } };
}

function bind(source: string): ContainerCreateOptions {
  const mount: MountSettings = { Type: 'bind', Source: source, Target: '/x', ReadOnly: false };
  return withHost({ Mounts: [mount] });
}

function refusal(options: ContainerCreateOptions): string {
  try {
    assertSafe(options, [SOCKET]);
  } catch (err) {
    expect(err).toBeInstanceOf(GodError);
    expect((err as GodError).retryable).toBe(false);
    return (err as GodError).message;
  }
  throw new Error('not refused');
}

describe('assertSafe', () => {
  it('lets normal binds and a confined container through', () => {
    expect(() => assertSafe(bind('/shared/alice/1'), [SOCKET])).not.toThrow();
    expect(() => assertSafe(withHost({ Binds: ['/data/db:/db:ro'] }), [SOCKET])).not.toThrow();
    expect(() => assertSafe(withHost({ NetworkMode: 'bridge' }), [SOCKET])).not.toThrow();
  });

  it.each([
    ['a relative source', 'shared/alice', /not absolute/],
    ['a source with ..', '/shared/../etc', /contains \.\./],
    ['an unnormalised source', '/shared//alice', /not normalised/],
    ['a trailing slash', '/shared/alice/', /not normalised/],
    ['a dot segment', '/shared/./alice', /not normalised/],
    ['the host root', '/', /host root/],
    ['/var/run/docker.sock', '/var/run/docker.sock', /socket/],
    ['/run/docker.sock', '/run/docker.sock', /socket/],
    ['the configured socket', SOCKET, /Docker socket/],
    ['a path inside a socket path', '/var/run/docker.sock/x', /socket/],
    ['a directory holding the configured socket', '/srv/engine', /holds the Docker socket/],
    ['a directory holding the default socket', '/var/run', /holds the Docker socket/],
    ['any containerd socket', '/srv/k8s/containerd.sock', /daemon socket/],
    ['a docker *.sock elsewhere', '/home/alice/.docker/desktop/docker.sock', /daemon socket/],
  ])('refuses a bind mount of %s', (_name, source, why) => {
    expect(refusal(bind(source))).toMatch(why);
  });

  it('checks legacy Binds like Mounts', () => {
    expect(refusal(withHost({ Binds: ['/var/run/docker.sock:/var/run/docker.sock'] }))).toMatch(
      /socket/,
    );
    expect(refusal(withHost({ Binds: ['/:/host'] }))).toMatch(/host root/);
  });

  it('refuses mounts that are not binds', () => {
    const volume: MountSettings = { Type: 'volume', Source: 'v', Target: '/v' };
    expect(refusal(withHost({ Mounts: [volume] }))).toMatch(/volume mount/);
  });

  it.each([
    ['privileged', { Privileged: true }, /privileged/],
    ['added capabilities', { CapAdd: ['SYS_ADMIN'] }, /capabilities SYS_ADMIN/],
    [
      'host devices',
      {
        Devices: [
          { PathOnHost: '/dev/sda', PathInContainer: '/dev/sda', CgroupPermissions: 'rwm' },
        ],
      },
      /devices/,
    ],
    ['the host pid namespace', { PidMode: 'host' }, /PidMode host/],
    ['the host ipc namespace', { IpcMode: 'host' }, /IpcMode host/],
    ['the host user namespace', { UsernsMode: 'host' }, /UsernsMode host/],
    ['the host network', { NetworkMode: 'host' }, /NetworkMode host/],
    ['another container namespace', { PidMode: 'container:abc' }, /PidMode container:abc/],
    ['volumes of another container', { VolumesFrom: ['other'] }, /another container/],
  ] satisfies Array<[string, HostConfig, RegExp]>)('refuses %s', (_name, hc, why) => {
    expect(refusal(withHost(hc))).toMatch(why);
  });
});
