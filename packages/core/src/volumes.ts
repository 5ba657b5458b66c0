/**
 * Which host paths a job may mount, and whether it may run as root. The configuration lists
 * named volumes (`volumes:` in god.yaml) whose host path and container path are templates over
 * the owner's account (`$USERID`, `$UID`, `$GID`, `$HOME`, `$PROJECT`); a job asks for volumes
 * by name only, never by path, so a user can reach exactly what an administrator granted.
 *
 * The same check runs twice: at submission (the user gets an error naming the field, nothing is
 * stored) and on the agent just before the container is created (an account or configuration
 * that changed meanwhile cannot widen what the job gets). The resolved paths are checked again
 * after substitution: an account field such as a home directory read from LDAP must not be able
 * to smuggle in `..`, the Docker socket or `/`.
 */
import { posix } from 'node:path';
import type { Config } from './config.js';
import { ValidationError, type FieldIssue } from './errors.js';
import type { ResolvedMount } from './executor.js';
import { TASK_MOUNT } from './executor.js';
import type { VolumeRequest } from './job.js';

/** The account fields that volume templates may use. */
export interface MountAccount {
  /** Login name. */
  id: string;
  uid: number;
  gid: number;
  /** Home directory; empty or null when the account has none. */
  home: string | null;
  project: string;
}

/** What a job asks for: its volumes by name, and root. */
export interface MountRequest {
  volumes: readonly VolumeRequest[];
  root: boolean;
}

/** Host paths no job ever gets, nor anything inside them. */
const FORBIDDEN_SOURCES = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/run/containerd',
  '/var/run/containerd',
  '/var/run/docker',
  '/run/docker',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/proc',
  '/sys',
  '/dev',
  '/etc',
  '/boot',
];

/** Container paths a volume may not cover (the container's own system and god's task mount). */
const FORBIDDEN_TARGETS = ['/', '/proc', '/sys', '/dev', '/etc', '/bin', '/sbin', '/lib', '/usr'];

/** True when `user` may run jobs as root under this configuration. */
export function rootAllowed(config: Pick<Config, 'security'>, user: string): boolean {
  const s = config.security;
  return s.allow_root && (s.root_users.length === 0 || s.root_users.includes(user));
}

/**
 * The mounts `request` gets for `account`, or a ValidationError naming every refused field
 * (`container.volumes[1].name`, `container.root`). Root jobs get every volume read-only.
 */
export function grantMounts(
  config: Pick<Config, 'volumes' | 'security'>,
  account: MountAccount,
  request: MountRequest,
): ResolvedMount[] {
  const issues: FieldIssue[] = [];
  if (request.root && !rootAllowed(config, account.id))
    issues.push({ path: 'container.root', message: `user ${account.id} may not run jobs as root` });
  const mounts: ResolvedMount[] = [];
  const seen = new Set<string>();
  request.volumes.forEach((req, i) => {
    const at = `container.volumes[${i}]`;
    const volume = config.volumes.find((v) => v.name === req.name);
    if (volume === undefined) {
      const known = config.volumes.map((v) => v.name).join(', ') || 'none';
      issues.push({
        path: `${at}.name`,
        message: `no volume named "${req.name}" is configured (configured: ${known})`,
      });
      return;
    }
    if (seen.has(req.name)) {
      issues.push({ path: `${at}.name`, message: `volume ${req.name} is asked for twice` });
      return;
    }
    seen.add(req.name);
    if (req.acl === 'rw' && volume.acl === 'ro') {
      issues.push({ path: `${at}.acl`, message: `volume ${req.name} is read-only` });
      return;
    }
    const source = expand(volume.path, account);
    const target = expand(volume.mount ?? volume.path, account);
    if (source === null || target === null) {
      issues.push({ path: `${at}.name`, message: `volume ${req.name}: the account has no home` });
      return;
    }
    const bad = unsafeHostPath(source) ?? checkTarget(target);
    if (bad !== null) {
      issues.push({ path: `${at}.name`, message: `volume ${req.name}: ${bad}` });
      return;
    }
    mounts.push({
      name: volume.name,
      source,
      target,
      readOnly: request.root || req.acl === 'ro',
    });
  });
  const targets = new Set<string>();
  for (const m of mounts) {
    if (targets.has(m.target))
      issues.push({ path: 'container.volumes', message: `two volumes mount at ${m.target}` });
    targets.add(m.target);
  }
  if (issues.length > 0) throw new ValidationError('volumes or root not granted', issues);
  return mounts;
}

/**
 * Checks a host path a container is about to get, whatever decided it: absolute, normalised,
 * no `..`, not `/`, not the Docker or containerd sockets or state, not system directories.
 * Returns the problem, or null when the path is acceptable.
 */
export function unsafeHostPath(path: string): string | null {
  if (!posix.isAbsolute(path)) return `host path ${JSON.stringify(path)} is not absolute`;
  if (path.split('/').includes('..')) return `host path ${JSON.stringify(path)} contains ..`;
  if (posix.normalize(path) !== path || (path.length > 1 && path.endsWith('/')))
    return `host path ${JSON.stringify(path)} is not normalised`;
  if (path === '/') return 'the host root directory cannot be mounted';
  for (const f of FORBIDDEN_SOURCES)
    if (path === f || path.startsWith(`${f}/`)) return `${path} cannot be mounted`;
  if (/\.sock$/.test(path) || /(^|\/)docker(\.sock)?$/.test(path))
    return `${path} looks like a daemon socket and cannot be mounted`;
  return null;
}

function checkTarget(target: string): string | null {
  if (!posix.isAbsolute(target) || target.split('/').includes('..'))
    return `container path ${JSON.stringify(target)} is not an absolute path without ..`;
  const t = posix.normalize(target).replace(/\/+$/, '') || '/';
  if (FORBIDDEN_TARGETS.includes(t)) return `cannot mount over ${t} in the container`;
  if (t === TASK_MOUNT || t.startsWith(`${TASK_MOUNT}/`) || TASK_MOUNT.startsWith(`${t}/`))
    return `cannot mount over the task directory ${TASK_MOUNT}`;
  return null;
}

/** An account of plain values, to check a volume template before any real account exists. */
const SAMPLE_ACCOUNT: MountAccount = {
  id: 'user',
  uid: 1000,
  gid: 1000,
  home: '/home/user',
  project: 'project',
};

/**
 * Checks a configured volume at load time with the very rules submission applies (host path,
 * then container path), on its templates expanded for a plain account: `$HOME/..`, the Docker
 * socket, `/proc` or the Docker data directory are refused before any job asks. Returns the
 * problem and which key has it, or null.
 */
export function unsafeVolume(volume: {
  path: string;
  mount?: string | undefined;
}): { key: 'path' | 'mount'; message: string } | null {
  const source = expand(volume.path, SAMPLE_ACCOUNT) ?? volume.path;
  const bad = unsafeHostPath(source);
  if (bad !== null)
    return {
      key: 'path',
      message: source === volume.path ? bad : `${volume.path}: ${bad} (for a home in /home)`,
    };
  const target = expand(volume.mount ?? volume.path, SAMPLE_ACCOUNT) ?? volume.path;
  const badTarget = checkTarget(target);
  if (badTarget !== null)
    return { key: volume.mount === undefined ? 'path' : 'mount', message: badTarget };
  return null;
}

/** Substitutes the account's fields; null when the template uses a home the account lacks. */
function expand(template: string, a: MountAccount): string | null {
  if (/\$(HOME|HOMEDIR)\b/.test(template) && (a.home === null || a.home === '')) return null;
  return template.replace(/\$(USERID|UID|GID|HOMEDIR|HOME|PROJECT)\b/g, (_, k: string) => {
    switch (k) {
      case 'USERID':
        return a.id;
      case 'UID':
        return String(a.uid);
      case 'GID':
        return String(a.gid);
      case 'PROJECT':
        return a.project;
      default:
        return a.home ?? '';
    }
  });
}
