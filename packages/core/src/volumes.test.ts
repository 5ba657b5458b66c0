import { describe, expect, it } from 'vitest';
import { resolveConfig, type Config } from './config.js';
import { ValidationError } from './errors.js';
import { grantMounts, rootAllowed, unsafeHostPath, type MountAccount } from './volumes.js';

const alice: MountAccount = {
  id: 'alice',
  uid: 1001,
  gid: 100,
  home: '/home/alice',
  project: 'bio',
};

function config(yaml: string): Config {
  return resolveConfig({ file: { name: 'god.yaml', text: yaml }, env: {} });
}

/** `c` with one more volume, as a configuration changed behind the loader's back would be. */
function withVolume(c: Config, v: Config['volumes'][number]): Config {
  return { ...c, volumes: [...c.volumes, v] };
}

// The loader refuses `evil` (see "volumes config"); submission must refuse it all the same.
const volumes = withVolume(
  config(`
volumes:
  - { name: home, path: $HOME, acl: rw }
  - { name: scratch, path: /scratch/$USERID, mount: /scratch, acl: rw }
  - { name: db, path: /db/$PROJECT, acl: ro }
security: { allow_root: true, root_users: [carol] }
`),
  { name: 'evil', path: '$HOME/../../etc', acl: 'ro' },
);

/** The field paths of the refusal `fn` throws. */
function refused(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error('not refused');
}

describe('grantMounts', () => {
  it('expands the granted volumes for the owner', () => {
    const mounts = grantMounts(volumes, alice, {
      root: false,
      volumes: [
        { name: 'home', acl: 'rw' },
        { name: 'scratch', acl: 'ro' },
        { name: 'db', acl: 'ro' },
      ],
    });
    expect(mounts).toEqual([
      { name: 'home', source: '/home/alice', target: '/home/alice', readOnly: false },
      { name: 'scratch', source: '/scratch/alice', target: '/scratch', readOnly: true },
      { name: 'db', source: '/db/bio', target: '/db/bio', readOnly: true },
    ]);
  });

  it('names every refused request', () => {
    const issues = refused(() =>
      grantMounts(volumes, alice, {
        root: true,
        volumes: [
          { name: 'nope', acl: 'ro' },
          { name: 'db', acl: 'rw' },
          { name: 'evil', acl: 'ro' },
          { name: 'home', acl: 'ro' },
          { name: 'home', acl: 'ro' },
        ],
      }),
    );
    expect(issues).toEqual([
      'container.root: user alice may not run jobs as root',
      'container.volumes[0].name: no volume named "nope" is configured (configured: home, scratch, db, evil)',
      'container.volumes[1].acl: volume db is read-only',
      expect.stringMatching(/^container\.volumes\[2\]\.name: volume evil: .* contains \.\./),
      'container.volumes[4].name: volume home is asked for twice',
    ]);
  });

  it('refuses an account field that would leave the granted tree', () => {
    for (const home of ['/var/run/docker.sock', '/', '/home/../etc', 'relative', '/etc/x', '']) {
      const issues = refused(() =>
        grantMounts(
          volumes,
          { ...alice, home },
          { root: false, volumes: [{ name: 'home', acl: 'ro' }] },
        ),
      );
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(/^container\.volumes\[0\]\.name: volume home: /);
    }
  });

  it('mounts everything read-only for a root job of an allowed user', () => {
    const carol = { ...alice, id: 'carol', home: '/home/carol' };
    expect(
      grantMounts(volumes, carol, { root: true, volumes: [{ name: 'home', acl: 'rw' }] }),
    ).toEqual([{ name: 'home', source: '/home/carol', target: '/home/carol', readOnly: true }]);
  });

  it('never allows root by default', () => {
    const none = config('{}');
    expect(rootAllowed(none, 'root')).toBe(false);
    expect(rootAllowed(config('security: { allow_root: true }'), 'anyone')).toBe(true);
    expect(refused(() => grantMounts(none, alice, { root: true, volumes: [] }))).toEqual([
      'container.root: user alice may not run jobs as root',
    ]);
  });

  it('refuses container paths over the system or the task directory', () => {
    for (const mount of ['/', '/etc', '/usr', '/mnt/god-data', '/mnt', '/x/../etc']) {
      const c = withVolume(config('{}'), { name: 'v', path: '/data', mount, acl: 'ro' });
      expect(
        refused(() => grantMounts(c, alice, { root: false, volumes: [{ name: 'v', acl: 'ro' }] })),
      ).toHaveLength(1);
    }
  });
});

describe('unsafeHostPath', () => {
  it.each([
    ['/data/x', null],
    ['/home/alice', null],
    ['/', 'root'],
    ['/var/run/docker.sock', 'cannot be mounted'],
    ['/run/docker.sock', 'cannot be mounted'],
    ['/srv/docker.sock', 'socket'],
    ['/run/containerd/containerd.sock', 'cannot be mounted'],
    ['/var/lib/docker/volumes', 'cannot be mounted'],
    ['/proc/1/root', 'cannot be mounted'],
    ['/data/../etc', 'contains ..'],
    ['/data//x', 'not normalised'],
    ['/data/', 'not normalised'],
    ['data', 'not absolute'],
  ])('%s', (path, problem) => {
    const r = unsafeHostPath(path);
    if (problem === null) expect(r).toBeNull();
    else expect(r).toContain(problem);
  });
});

describe('volumes config', () => {
  it('refuses a duplicate name and a relative path, naming them', () => {
    const text = 'volumes: [{name: a, path: /x}, {name: a, path: rel}]';
    try {
      config(text);
      expect.unreachable('the config was accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((p) => p.path)).toEqual([
        'volumes[1].name',
        'volumes[1].path',
      ]);
    }
  });

  it('refuses at load every volume submission would refuse, naming the key', () => {
    const refusedAtLoad = [
      ['$HOME/..', 'path', 'contains ..'],
      ['$HOME/../../var/run/docker.sock', 'path', 'contains ..'],
      ['/data/../etc', 'path', 'contains ..'],
      ['relative/dir', 'path', 'not absolute'],
      ['/', 'path', 'root'],
      ['/var/run/docker.sock', 'path', 'cannot be mounted'],
      ['/run/docker.sock', 'path', 'cannot be mounted'],
      ['/var/run/docker/netns', 'path', 'cannot be mounted'],
      ['/run/docker', 'path', 'cannot be mounted'],
      ['/proc', 'path', 'cannot be mounted'],
      ['/sys/fs', 'path', 'cannot be mounted'],
      ['/dev', 'path', 'cannot be mounted'],
      ['/etc', 'path', 'cannot be mounted'],
      ['/var/lib/docker', 'path', 'cannot be mounted'],
      ['/var/lib/docker/volumes/$USERID', 'path', 'cannot be mounted'],
      ['/var/lib/containerd', 'path', 'cannot be mounted'],
      ['/srv/docker.sock', 'path', 'socket'],
    ] as const;
    for (const [path, key, problem] of refusedAtLoad) {
      const issues = refused(() =>
        config(`volumes: [{ name: ok, path: /x }, { name: v, path: "${path}" }]`),
      );
      expect(issues).toEqual([expect.stringContaining(`volumes[1].${key}: `)]);
      expect(issues[0]).toContain(problem);
    }
    const mounts = refused(() => config('volumes: [{ name: v, path: /data, mount: /etc }]'));
    expect(mounts).toEqual(['volumes[0].mount: cannot mount over /etc in the container']);
    const ok = config(`
volumes:
  - { name: home, path: $HOME, acl: rw }
  - { name: scratch, path: /scratch/$USERID, mount: /scratch, acl: rw }
  - { name: db, path: /db/$PROJECT }
`);
    expect(ok.volumes.map((v) => v.name)).toEqual(['home', 'scratch', 'db']);
  });
});
