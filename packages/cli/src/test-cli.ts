/**
 * Running the CLI in-process for tests: a context whose output is captured, whose stdin is a
 * given string, with a temp HOME and XDG_CONFIG_HOME per rig so credentials never leak between
 * tests (or into the real home).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from './cli.js';
import type { CliContext } from './context.js';
import type { RoleLogger } from './commands/roles.js';

/** What one run printed and how it exited. */
export interface RunResult {
  code: number;
  /** Lines and raw bytes written to stdout, in order. */
  out: string;
  err: string;
  /** What the run asked on the (pretend) terminal. */
  prompts: string[];
}

/** How one run differs from the defaults. */
export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
  /** What a terminal prompt answers (stdin is then a terminal). */
  typed?: string;
  /** A stream standing for a terminal on stderr (the progress bar). */
  ttyStderr?: NodeJS.WritableStream;
  logger?: RoleLogger;
  /** For roles: resolves when they should stop (never, by default). */
  untilSignal?: () => Promise<string>;
}

/** A context with captured output, and the captures. */
export function testContext(opts: RunOptions & { home?: string } = {}): {
  ctx: CliContext;
  out: () => string;
  err: () => string;
  prompts: string[];
} {
  let out = '';
  let err = '';
  const prompts: string[] = [];
  const ctx: CliContext = {
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    io: { out: (l) => void (out += `${l}\n`), err: (l) => void (err += `${l}\n`) },
    stdout: {
      write: (chunk) => {
        out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        return Promise.resolve();
      },
    },
    stderr: opts.ttyStderr ?? new PassThrough(),
    isTTY: { stdin: opts.typed !== undefined, stdout: false, stderr: opts.ttyStderr !== undefined },
    readStdin: () => Promise.resolve(Buffer.from(opts.stdin ?? '')),
    promptSecret: (prompt) => {
      prompts.push(prompt);
      return Promise.resolve(opts.typed ?? '');
    },
    home: opts.home ?? '/nonexistent-home',
    hostname: 'testhost',
    user: { id: 'tester', uid: 1000, gid: 1000 },
    clock: { now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    roles: {
      logger: () => {
        if (opts.logger !== undefined) return opts.logger;
        throw new Error('no roles in these tests');
      },
      untilSignal: opts.untilSignal ?? (() => new Promise(() => undefined)),
      onReload: () => undefined,
    },
  };
  return { ctx, out: () => out, err: () => err, prompts };
}

/** A temp home for one test: `run` is `god <args>` with HOME and XDG_CONFIG_HOME there. */
export interface CliRig {
  home: string;
  configHome: string;
  credentials: string;
  run: (args: string[], opts?: RunOptions) => Promise<RunResult>;
}

/** Makes a rig; `env` applies to every run (GOD_SERVER, say). */
export async function makeRig(env: Record<string, string> = {}): Promise<CliRig> {
  const home = await mkdtemp(join(tmpdir(), 'god-cli-home-'));
  const configHome = join(home, 'xdg');
  return {
    home,
    configHome,
    credentials: join(configHome, 'god', 'credentials.json'),
    async run(args, opts = {}) {
      const t = testContext({
        ...opts,
        home,
        env: { HOME: home, XDG_CONFIG_HOME: configHome, ...env, ...opts.env },
      });
      const code = await runCli(args, t.ctx);
      return { code, out: t.out(), err: t.err(), prompts: t.prompts };
    },
  };
}
