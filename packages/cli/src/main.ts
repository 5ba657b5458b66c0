#!/usr/bin/env node
/** Composition root of the full `god` command: the only place, with entry.ts, that reads the process. */
import { destination, pino } from 'pino';
import { runCli } from './cli.js';
import { processContext, runMain } from './entry.js';
import { visible } from './visible.js';

runMain(runCli, {
  ...processContext(),
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
});
