/** `god submit`: a script file, `-` for stdin, or `--cmd`, as a job (or an array of tasks). */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { GodClient } from '@god/client';
import { usage } from '../errors.js';
import { collect, collectList, type Kit } from '../kit.js';
import type { ExitCode } from '../output.js';
import { buildSubmission, type SubmitOptions } from './submission.js';
import { waitForJob } from './wait.js';

/** Registers `god submit`. */
export function registerSubmit(program: Command, kit: Kit): void {
  program
    .command('submit [script]')
    .description('submit a script (a file, - for standard input, or --cmd) as a job; prints its id')
    .option('--cmd <script>', 'the script itself, instead of a file')
    .option('--cpu <n>', 'cores')
    .option('--ram <size>', 'memory, e.g. 512M, 8G')
    .option('--gpus <n>', 'GPUs')
    .option('--image <image>', "container image (default: the server's default image)")
    .option('--name <name>', 'job name (default: the script file name)')
    .option('--description <text>', 'job description')
    .option('--tag <tag>', 'a tag (repeatable)', collect, [])
    .option('--project <project>', 'project to account the job to')
    .option('--volume <name[:ro|rw]>', 'a configured volume to mount (repeatable)', collect, [])
    .option('--array <spec>', 'an array of tasks: N, start:end[:step], optionally %limit (1:9:3%2)')
    .option('--after <ids>', 'start after these jobs succeeded (= --afterok)', collectList, [])
    .option(
      '--afterok <ids>',
      'start after these jobs succeeded (repeatable, comma list)',
      collectList,
      [],
    )
    .option('--afterany <ids>', 'start after these jobs ended, however', collectList, [])
    .option('--afternotok <ids>', 'start after these jobs ended without success', collectList, [])
    .option('--hold', 'submit held: it waits for god release')
    .option('--interactive', 'an interactive job')
    .option('--root', 'run as root in the container (if the server allows it)')
    .option('--label <name==value>', 'a host constraint (repeatable)', collect, [])
    .option('--port <n>', 'a container port to expose (repeatable)', collect, [])
    .option(
      '--env <NAME=value>',
      'an environment variable; NAME alone passes the local value (repeatable)',
      collect,
      [],
    )
    .option('--maxlifespan <duration>', 'kill the job after this long, e.g. 90m, 2h, 1d')
    .option('--wait', 'wait for the job to end and exit with its exit code (see god --help)')
    .option('--json', 'print the job as the API answered it (the ended job with --wait)')
    .option('-q, --quiet', 'print only the job id')
    .action(
      kit.action((script: string | undefined, opts: SubmitOptions) => submit(kit, script, opts)),
    );
}

async function submit(kit: Kit, file: string | undefined, opts: SubmitOptions): Promise<ExitCode> {
  const script = await scriptOf(kit, file, opts);
  const { client } = await kit.remote();
  const image = opts.image ?? (await defaultImage(client));
  const job = await client.submit(buildSubmission(opts, script, image, kit.ctx.env));
  const { io } = kit.ctx;
  if (opts.json !== true || opts.wait !== true) {
    if (opts.json === true) kit.json(job);
    else if (opts.quiet === true) io.out(String(job.id));
    else {
      const array = job.requirements.array;
      io.out(`submitted job ${job.id}${array === null ? '' : ` (array of ${array.count} tasks)`}`);
    }
  }
  if (opts.wait !== true) return 0;
  const ended = await waitForJob(kit, client, job, { quiet: opts.quiet === true });
  if (opts.json === true) kit.json(ended.job);
  return ended.code;
}

async function scriptOf(
  kit: Kit,
  file: string | undefined,
  opts: SubmitOptions,
): Promise<{ cmd: string; name?: string }> {
  if (opts.cmd !== undefined && file !== undefined)
    throw usage('give a script file, - or --cmd, not several');
  if (opts.cmd !== undefined) return { cmd: opts.cmd };
  if (file === '-') return { cmd: (await kit.ctx.readStdin()).toString('utf8') };
  if (file === undefined)
    throw usage('nothing to run: give a script file, - for standard input, or --cmd');
  try {
    return { cmd: await readFile(resolve(kit.ctx.cwd, file), 'utf8'), name: basename(file) };
  } catch (err) {
    throw usage(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

async function defaultImage(client: GodClient): Promise<string> {
  const config = await client.config();
  const image = (config['defaults'] as { image?: unknown } | undefined)?.image;
  if (typeof image !== 'string' || image === '')
    throw usage('--image is needed: the server names no default image');
  return image;
}
