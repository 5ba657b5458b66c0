/** Helpers to run a real service as a child process on a free loopback port, in a temp dir. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running service: where it listens and how to stop it. */
export interface RunningService {
  name: string;
  /** Connection URL (`redis://…`, `mongodb://…`, `unix://…`). */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temp dir for one service instance. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `god-${prefix}-`));
}

/** Polls `check` until it returns true or the deadline passes (then throws with `what`). */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Polls `check` like {@link waitFor} until a freshly spawned service is ready, but fails at once
 * (instead of at the deadline) if the process exits or cannot be spawned first.
 */
export async function waitForReady(
  what: string,
  child: ChildProcess,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<void> {
  const state: { failure: Error | null } = { failure: null };
  const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    state.failure = new Error(
      `${what}: the process exited (${code ?? signal}) before it was ready`,
    );
  };
  const onError = (err: Error): void => {
    state.failure = new Error(`${what}: ${err.message}`);
  };
  if (child.exitCode !== null || child.signalCode !== null)
    onExit(child.exitCode, child.signalCode);
  child.once('exit', onExit);
  child.once('error', onError);
  try {
    await waitFor(what, async () => state.failure !== null || check(), timeoutMs, everyMs);
    if (state.failure !== null) throw state.failure;
  } finally {
    // The 'error' listener stays: an unheard 'error' event would crash the process.
    child.off('exit', onExit);
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** Spawns a service process with its output in `<dir>/<name>.log`. */
export function spawnLogged(name: string, dir: string, cmd: string, args: string[]): ChildProcess {
  const logPath = join(dir, `${name}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  // A service that dies while tests run makes them fail far from the cause: say so at once,
  // with the end of its log, before the temp dir (and the log) is removed at teardown.
  child.once('exit', (code, signal) => {
    if (child.killed) return;
    const tail = (() => {
      try {
        return readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n');
      } catch {
        return '(no log)';
      }
    })();
    process.stderr.write(
      `\n[services] ${name} exited unexpectedly (code ${code}, signal ${signal}); log tail:\n${tail}\n`,
    );
  });
  return child;
}

/** Stops a child (SIGTERM, then SIGKILL after `graceMs`) and removes its dir. */
export async function stopChild(
  child: ChildProcess,
  dir: string | null,
  graceMs = 5_000,
): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  if (dir !== null) await rm(dir, { recursive: true, force: true });
}

/** Where `go install` puts binaries, for tools built by the install script. */
export function goBin(name: string): string {
  const gopath = process.env['GOPATH'] ?? join(process.env['HOME'] ?? '/root', 'go');
  return join(gopath, 'bin', name);
}
