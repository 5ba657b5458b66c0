#!/usr/bin/env node
/** Composition root of the `god` command: the only place that reads the process environment and exits. */
import { userInfo } from 'node:os';
import { destination, pino } from 'pino';
import { runCli } from './cli.js';
import type { Output } from './output.js';

const io: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
const me = userInfo();

runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  io,
  user: { id: me.username, uid: me.uid, gid: me.gid },
  roles: {
    logger: (config) =>
      pino({ level: config.log.level, redact: ['*.password', '*.passwordHash'] }, destination(2)),
    untilSignal: () =>
      new Promise((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve(sig));
      }),
    onReload: (handler) => void process.on('SIGHUP', handler),
  },
}).then(
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
