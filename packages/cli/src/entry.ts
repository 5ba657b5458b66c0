/**
 * The half of the composition root both executables share (main.ts: the full `god`;
 * client-main.ts: the workstation build): the CLI context read from this process, and running
 * one invocation to its exit status. Only those two files import this one.
 */
import { homedir, hostname, userInfo } from 'node:os';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';
import type { ExitCode, Output, RawOutput } from './output.js';
import { promptHidden, readAll } from './tty.js';

/** This process as the commands see it, but for the roles' context (only the full build has roles). */
export function processContext(): Omit<CliContext, 'roles'> {
  const io: Output = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  const stdout: RawOutput = {
    write: (chunk) =>
      new Promise((resolve, reject) => {
        // Waiting for the write keeps a large download from piling up in memory.
        process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
      }),
  };
  const me = userInfo();
  return {
    env: process.env,
    cwd: process.cwd(),
    io,
    stdout,
    stderr: process.stderr,
    isTTY: {
      stdin: process.stdin.isTTY === true,
      stdout: process.stdout.isTTY === true,
      stderr: process.stderr.isTTY === true,
    },
    readStdin: () => readAll(process.stdin),
    promptSecret: (prompt) => {
      if (process.stdin.isTTY !== true)
        return Promise.reject(new CliError('standard input is not a terminal', 2));
      return promptHidden(process.stdin, process.stderr, prompt);
    },
    home: process.env['HOME'] ?? homedir(),
    hostname: hostname(),
    user: { id: me.username, uid: me.uid, gid: me.gid },
    clock: { now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  };
}

/** Runs `run` on this process's arguments and leaves with its exit status. */
export function runMain(
  run: (args: readonly string[], ctx: CliContext) => Promise<ExitCode>,
  ctx: CliContext,
): void {
  // A reader that went away (god logs 1 | head) is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  run(process.argv.slice(2), ctx).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `god: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
