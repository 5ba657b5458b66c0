#!/usr/bin/env node
/** Composition root of the `god` command: the only place that reads the process environment and exits. */
import { homedir, hostname, userInfo } from 'node:os';
import { destination, pino } from 'pino';
import { runCli } from './cli.js';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';
import type { Output, RawOutput } from './output.js';
import { promptHidden, readAll } from './tty.js';
import { visible } from './visible.js';

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

const ctx: CliContext = {
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
  roles: {
    logger: (config) =>
      pino(
        {
          level: config.log.level,
          redact: ['*.password', '*.passwordHash'],
          // JSON escapes C0 but not C1 or bidi overrides: a job name in a log line must not
          // reach an administrator's terminal as a command (`\uXXXX` keeps the line JSON).
          hooks: { streamWrite: (line) => visible(line, true) },
        },
        destination(2),
      ),
    untilSignal: () =>
      new Promise((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve(sig));
      }),
    onReload: (handler) => void process.on('SIGHUP', handler),
  },
};

// A reader that went away (god logs 1 | head) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

runCli(process.argv.slice(2), ctx).then(
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
