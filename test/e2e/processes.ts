/**
 * Real god processes for end-to-end tests: `god <role>` run from the TypeScript sources (as
 * `node --conditions=source --import tsx packages/cli/src/main.ts`), stdout and stderr written
 * straight to files (file descriptors, so nothing is lost if the test process is busy or dies),
 * and a way to print where those files are, with their last lines, when a test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root: processes run there so that `--import tsx` and the workspaces resolve. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** A running (or ended) god process and its log files. */
export interface GodProcess {
  readonly name: string;
  readonly pid: number;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** Null while running; the exit code or signal once it ended. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Resolves when the process has ended. */
  readonly ended: Promise<void>;
  /** Sends `signal` (no-op once it ended). */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it is still alive after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `god <args>` named `name`, with logs `<dir>/<name>.{stdout,stderr}.log`. */
export function startGod(name: string, args: readonly string[], dir: string): GodProcess {
  const stdoutPath = join(dir, `${name}.stdout.log`);
  const stderrPath = join(dir, `${name}.stderr.log`);
  const out = openSync(stdoutPath, 'a');
  const err = openSync(stderrPath, 'a');
  const env = { ...process.env };
  // Whatever the test runner put there is not for god.
  delete env['NODE_OPTIONS'];
  let child: ChildProcess;
  try {
    child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'packages/cli/src/main.ts', ...args],
      { cwd: REPO_ROOT, env, stdio: ['ignore', out, err] },
    );
  } finally {
    // The child has its own copies of the descriptors.
    closeSync(out);
    closeSync(err);
  }
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const ended = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      done();
    });
    child.once('error', () => {
      exit ??= { code: null, signal: null };
      done();
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const pid = child.pid;
  const signal = (sig: NodeJS.Signals): void => {
    if (exit === null) child.kill(sig);
  };
  return {
    name,
    pid,
    stdoutPath,
    stderrPath,
    exit: () => exit,
    ended,
    signal,
    async stop(graceMs = 5_000) {
      if (exit !== null) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await ended;
      clearTimeout(timer);
    },
  };
}

/** The last `lines` lines of a file ('' when it does not exist). */
export function tail(path: string, lines = 40): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Where each process's logs are, how it ended, and the last lines of its logs. */
export function describeProcesses(procs: readonly GodProcess[], lines = 40): string {
  return procs
    .map((p) => {
      const exit = p.exit();
      const how =
        exit === null ? 'running' : `exited (code ${exit.code}, signal ${exit.signal ?? 'none'})`;
      return [
        `=== ${p.name} (pid ${p.pid}, ${how})`,
        `--- ${p.stderrPath}`,
        tail(p.stderrPath, lines),
        `--- ${p.stdoutPath}`,
        tail(p.stdoutPath, lines),
      ].join('\n');
    })
    .join('\n');
}

/** A pino log line, as god's processes write them (JSON on stderr). */
export interface LogLine {
  msg?: string;
  level?: number;
  [field: string]: unknown;
}

/** The JSON log lines of a file (lines that are not JSON are skipped). */
export function readLogLines(path: string): LogLine[] {
  if (!existsSync(path)) return [];
  const out: LogLine[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // A line cut by a kill -9: not evidence of anything.
    }
  }
  return out;
}

/** Polls `check` every `everyMs` until it returns a value; fails early if one of `alive` ends. */
export async function until<T>(
  what: string,
  check: () => Promise<T | null | false>,
  timeoutMs: number,
  alive: readonly GodProcess[],
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    const dead = alive.find((p) => p.exit() !== null);
    if (dead !== undefined) throw new Error(`${dead.name} exited while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The URL `god web` (or `god up`) logged in its 'web started' line, once it did. */
export function webUrlOf(proc: GodProcess, timeoutMs = 60_000): Promise<string> {
  return until(
    `${proc.name} to log its URL`,
    () => {
      const line = readLogLines(proc.stderrPath).find((l) => l.msg === 'web started');
      return Promise.resolve(typeof line?.['url'] === 'string' ? line['url'] : null);
    },
    timeoutMs,
    [proc],
  );
}

/** Runs `god <args>` to its end (a one-shot command); its exit code and what it printed. */
export async function runGod(
  name: string,
  args: readonly string[],
  dir: string,
): Promise<{ code: number | null; out: string; err: string }> {
  const proc = startGod(name, args, dir);
  await proc.ended;
  return {
    code: proc.exit()?.code ?? null,
    out: readFileSync(proc.stdoutPath, 'utf8'),
    err: readFileSync(proc.stderrPath, 'utf8'),
  };
}

/** The pid in a holder id `<hostname>:<pid>` (as the scheduler's main.ts makes it). */
export function pidOf(holderId: string): number {
  return Number(holderId.slice(holderId.lastIndexOf(':') + 1));
}
