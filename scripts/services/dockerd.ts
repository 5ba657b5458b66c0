/**
 * A real, private Docker daemon for tests and local development: Debian's `dockerd` (package
 * docker.io) with its own data-root, exec-root, pidfile, config and unix socket in a short temp
 * dir, no TCP, no iptables, no bridge, the `vfs` storage driver. It starts its own containerd
 * (under the exec-root). Once it answers, it holds the test image `god-test/busybox:latest`,
 * imported from a busybox rootfs tarball (see busybox-rootfs.ts), so no registry is needed.
 *
 * Needs root. Stopping it leaves no dockerd, containerd, shim or container process behind and
 * no mount under its dir, then removes the dir.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureRootfsTar } from './busybox-rootfs.js';
import { spawnLogged, stopChild, waitFor, waitForReady, type RunningService } from './common.js';

const run = promisify(execFile);

/** The image every daemon started here holds: static busybox, `CMD ["/bin/sh"]`. */
export const TEST_IMAGE = 'god-test/busybox:latest';

/** Longest unix socket path the kernel accepts (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/** The dockerd binary: $GOD_DOCKERD, else /usr/sbin/dockerd, else `dockerd` on the PATH. */
export function dockerdBinary(): string {
  const fromEnv = process.env['GOD_DOCKERD'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return existsSync('/usr/sbin/dockerd') ? '/usr/sbin/dockerd' : 'dockerd';
}

/** The docker CLI: $GOD_DOCKER_CLI, else `docker` on the PATH. */
export function dockerCli(): string {
  const fromEnv = process.env['GOD_DOCKER_CLI'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'docker';
}

/** A temp dir short enough for the sockets dockerd and containerd create in it. */
async function shortTempDir(): Promise<string> {
  const base = tmpdir().length <= 40 ? tmpdir() : '/tmp';
  const dir = await mkdtemp(join(base, 'god-dockerd-'));
  // The longest socket inside: <dir>/x/containerd/containerd.sock.ttrpc
  if (join(dir, 'x/containerd/containerd.sock.ttrpc').length > MAX_SOCKET_PATH) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`temp dir ${dir} is too long for unix sockets: set TMPDIR to a short path`);
  }
  return dir;
}

/** dockerd's command line for an instance living in `dir`. */
function dockerdArgs(dir: string, socket: string): string[] {
  return [
    `--host=unix://${socket}`,
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'x')}`,
    `--pidfile=${join(dir, 'docker.pid')}`,
    // An empty config of our own: /etc/docker/daemon.json of the machine must not leak in.
    `--config-file=${join(dir, 'daemon.json')}`,
    '--iptables=false',
    '--ip-masq=false',
    '--bridge=none',
    '--storage-driver=vfs',
    // Bounds the daemon's own shutdown; running containers are SIGKILLed before (killContainers),
    // as they would otherwise get their 10 s stop timeout each.
    '--shutdown-timeout=2',
  ];
}

/** A Docker API answer: status code (0 when nothing answered) and body. */
export interface DockerApiReply {
  status: number;
  body: string;
}

/** One request to the Docker API on a unix socket; never rejects (status 0 on failure). */
export function dockerApi(socket: string, method: string, path: string): Promise<DockerApiReply> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path, method, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

/** SIGKILLs every running container, so that stopping the daemon does not wait 10 s for each. */
async function killContainers(socket: string): Promise<void> {
  const list = await dockerApi(socket, 'GET', '/containers/json');
  if (list.status !== 200) return;
  const parsed: unknown = JSON.parse(list.body);
  const ids = Array.isArray(parsed)
    ? parsed.map((c: { Id?: unknown }) => c.Id).filter((id) => typeof id === 'string')
    : [];
  await Promise.all(ids.map((id) => dockerApi(socket, 'POST', `/containers/${id}/kill`)));
}

/** Imports the test image into the daemon at `socket` unless it is already there. */
export async function ensureTestImage(socket: string): Promise<void> {
  if ((await dockerApi(socket, 'GET', `/images/${TEST_IMAGE}/json`)).status === 200) return;
  const tar = await ensureRootfsTar();
  await run(dockerCli(), [
    '-H',
    `unix://${socket}`,
    'import',
    '--change',
    'CMD ["/bin/sh"]',
    tar,
    TEST_IMAGE,
  ]);
}

/** The last lines of a log file, for error messages (the file is removed with its dir). */
async function logTail(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Starts a private dockerd and imports the test image into it. */
export async function startDockerd(): Promise<RunningService> {
  if (process.getuid?.() !== 0) throw new Error('a private dockerd needs root');
  const dir = await shortTempDir();
  const socket = join(dir, 'docker.sock');
  await writeFile(join(dir, 'daemon.json'), '{}\n');
  const child = spawnLogged('dockerd', dir, dockerdBinary(), dockerdArgs(dir, socket));
  const stop = (): Promise<void> => stopDockerd(child, dir, socket);
  try {
    const ready = async (): Promise<boolean> =>
      (await dockerApi(socket, 'GET', '/_ping')).status === 200;
    await waitForReady(`dockerd on ${socket}`, child, ready, 60_000, 100);
    await ensureTestImage(socket);
  } catch (err) {
    const tail = await logTail(join(dir, 'dockerd.log'));
    await stop().catch(() => undefined);
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`starting dockerd failed: ${why}\n--- dockerd.log (tail) ---\n${tail}`, {
      cause: err,
    });
  }
  return { name: 'dockerd', url: `unix://${socket}`, port: 0, dir, stop };
}

/** Stops dockerd, then whatever it left behind, then removes its dir. Safe to call twice. */
async function stopDockerd(child: ChildProcess, dir: string, socket: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    await killContainers(socket).catch(() => undefined);
  }
  await stopChild(child, null, 20_000);
  const ids = await readdir(join(dir, 'data', 'containers')).catch(() => []);
  await killStrays(dir, ids);
  await unmountUnder(dir);
  await rm(dir, { recursive: true, force: true });
}

/**
 * Processes left by the daemon in `dir`: its dockerd, containerd, shims and runc (named so and
 * with `dir` on their command line) and the processes of its containers (`ids`, by cgroup).
 * Zombies are not counted: they are already dead.
 */
export async function strayPids(dir: string, ids: readonly string[]): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number);
  const read = (pid: number, f: string): Promise<string> =>
    readFile(`/proc/${pid}/${f}`, 'utf8').catch(() => '');
  const strays: number[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const stat = await read(pid, 'stat');
    const m = /^\d+ \((.*)\) (\S)/.exec(stat);
    if (m === null || m[2] === 'Z') continue;
    const daemon =
      /^(dockerd|containerd|runc|docker-)/.test(m[1] ?? '') &&
      (await read(pid, 'cmdline')).replaceAll('\0', ' ').includes(dir);
    const cgroup = ids.length > 0 ? await read(pid, 'cgroup') : '';
    if (daemon || ids.some((id) => cgroup.includes(id))) strays.push(pid);
  }
  return strays;
}

/** Sends `signal` to each pid, ignoring those already gone. */
function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, then SIGKILL, for whatever `strayPids` finds; throws if something survives. */
async function killStrays(dir: string, ids: readonly string[]): Promise<void> {
  const gone = async (): Promise<boolean> => (await strayPids(dir, ids)).length === 0;
  const first = await strayPids(dir, ids);
  if (first.length === 0) return;
  signalAll(first, 'SIGTERM');
  const ok = await waitFor('stray processes to stop', gone, 3_000, 100).then(
    () => true,
    () => false,
  );
  if (ok) return;
  signalAll(await strayPids(dir, ids), 'SIGKILL');
  await waitFor('stray processes to die after SIGKILL', gone, 5_000, 100).catch(async () => {
    throw new Error(
      `processes of dockerd in ${dir} survive: ${(await strayPids(dir, ids)).join(', ')}`,
    );
  });
}

/** Lazily unmounts every mount point at or under `dir`, deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points = info
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) {
    await run('umount', ['-l', p]).catch(() => undefined);
  }
}
