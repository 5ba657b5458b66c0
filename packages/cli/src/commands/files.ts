/** `god logs`, `god files`, `god download`: what a job wrote to its task directory. */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import { ApiError, type GodClient } from '@god/client';
import { JOB_OUTCOMES, type JobOutcome } from '@god/core';
import { CliError, usage } from '../errors.js';
import { bytes, intOption, jobId, table, time } from '../format.js';
import type { Kit } from '../kit.js';
import type { ExitCode } from '../output.js';
import { exitOf } from './wait.js';

interface LogsOptions {
  stderr?: boolean;
  tail?: string;
  follow?: boolean;
}

/** Registers logs, files and download. */
export function registerFiles(program: Command, kit: Kit): void {
  program
    .command('logs <id>')
    .description("a job's output (god.log; god.err with --stderr)")
    .option('--stderr', 'standard error instead of standard output')
    .option('--tail <n>', 'only the last n lines')
    .option(
      '-f, --follow',
      "print output as it comes until the job ends; exit with the job's exit code",
    )
    .action(kit.action((id: string, opts: LogsOptions) => logs(kit, jobId(id), opts)));
  program
    .command('files <id> [path]')
    .description("list a directory of a job's task directory")
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action(async (id: string, path: string | undefined, opts: { json?: boolean }) => {
        const listing = await (await kit.remote()).client.files(jobId(id), path ?? '');
        if (opts.json === true) kit.json(listing);
        else {
          const rows = listing.entries.map((e) => [
            e.type === 'directory' ? 'dir' : e.type,
            bytes(e.size),
            time(e.mtime),
            e.name,
          ]);
          for (const line of table(['TYPE', 'SIZE', 'MODIFIED', 'NAME'], rows))
            kit.ctx.io.out(line);
        }
        return 0;
      }),
    );
  program
    .command('download <id> <path>')
    .description("download a file of a job's task directory (to standard output unless -o)")
    .option('-o, --output <file>', 'write it to this file')
    .action(
      kit.action(async (id: string, path: string, opts: { output?: string }) => {
        const res = await (await kit.remote()).client.download(jobId(id), path);
        await save(kit, res, opts.output);
        return 0;
      }),
    );
}

async function logs(kit: Kit, id: number, opts: LogsOptions): Promise<ExitCode> {
  const stream = opts.stderr === true ? 'stderr' : 'stdout';
  const tail = opts.tail === undefined ? undefined : intOption('--tail', opts.tail);
  if (tail !== undefined && tail < 0) throw usage('--tail: must be 0 or more');
  const { client } = await kit.remote();
  const q = { stream, ...(tail !== undefined && { tail }) } as const;
  if (opts.follow !== true) {
    await kit.ctx.stdout.write(await client.logs(id, q));
    return 0;
  }
  return follow(kit, client, id, q);
}

async function follow(
  kit: Kit,
  client: GodClient,
  id: number,
  q: { stream: 'stdout' | 'stderr'; tail?: number },
): Promise<ExitCode> {
  try {
    return await followEvents(kit, client, id, q);
  } catch (err) {
    if (err instanceof ApiError || err instanceof CliError) throw err;
    // The stream broke (the server went away mid-way): say so, without a stack.
    throw new CliError(
      `lost the log stream of job ${id}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

async function followEvents(
  kit: Kit,
  client: GodClient,
  id: number,
  q: { stream: 'stdout' | 'stderr'; tail?: number },
): Promise<ExitCode> {
  for await (const e of client.followLogs(id, q)) {
    if (e.event === 'output') {
      const text = (e.data as { text?: unknown }).text;
      if (typeof text === 'string') await kit.ctx.stdout.write(text);
    } else if (e.event === 'end') {
      const d = e.data as { outcome?: unknown; exitcode?: unknown };
      const end = exitOf({
        id,
        outcome: (JOB_OUTCOMES as readonly unknown[]).includes(d.outcome)
          ? (d.outcome as JobOutcome)
          : null,
        exitcode: typeof d.exitcode === 'number' ? d.exitcode : null,
      });
      if (end.message !== null) kit.ctx.io.err(`god: ${end.message}`);
      return end.code;
    }
  }
  throw new CliError(`the server closed the log stream of job ${id} before the job ended`);
}

/** Streams a download to `file` (created or truncated) or to standard output. */
async function save(kit: Kit, res: Response, file: string | undefined): Promise<void> {
  if (res.body === null) return;
  const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  const path = file === undefined ? null : resolve(kit.ctx.cwd, file);
  try {
    if (path === null)
      for await (const chunk of body) await kit.ctx.stdout.write(chunk as Uint8Array);
    else await pipeline(body, createWriteStream(path));
  } catch (err) {
    // Half a file looks like a whole one: better none.
    if (path !== null) await rm(path, { force: true });
    const why =
      (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new CliError(`download failed${file === undefined ? '' : ` (${file})`}: ${why}`);
  }
}
