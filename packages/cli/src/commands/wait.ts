/**
 * Waiting for jobs to end (`submit --wait`) and what their end means as an exit status. A plain
 * job passes on its own exit code; an array shows how many tasks are done (a bar on a terminal,
 * a line when the count changes otherwise) and succeeds only when every task did.
 */
import cliProgress from 'cli-progress';
import { ApiError, type GodClient } from '@god/client';
import type { Job, JobOutcome } from '@god/core';
import type { Kit } from '../kit.js';
import type { ExitCode } from '../output.js';

/** How often the job is read while waiting. */
const POLL_MS = 500;
/** How often the tasks of an array are counted (a listing, so less often). */
const ARRAY_POLL_MS = 1_000;
/** Least time between two plain progress lines. */
const LINE_EVERY_MS = 2_000;
/** How long a wait rides out a server that does not answer (restarting, say). */
const PATIENCE_MS = 120_000;

/** What the exit status is made from: the end of a job, or a log stream's `end` event. */
export interface JobEnd {
  id: number;
  outcome: JobOutcome | null;
  exitcode: number | null;
  reason?: string;
}

/**
 * 0 for success; the job's exit code (1-255) when it ran and failed; otherwise 1 (killed, lost,
 * over quota, rejected, or failed with no exit code), with the reason in `message`.
 */
export function exitOf(end: JobEnd): { code: ExitCode; message: string | null } {
  if (end.outcome === 'success') return { code: 0, message: null };
  const why = end.reason !== undefined && end.reason !== '' ? `: ${end.reason}` : '';
  const c = end.exitcode;
  if (c !== null && Number.isInteger(c) && c >= 1 && c <= 255)
    return {
      code: c,
      message: `job ${end.id} ${end.outcome ?? 'ended'} with exit code ${c}${why}`,
    };
  return { code: 1, message: `job ${end.id} ended ${end.outcome ?? 'without an outcome'}${why}` };
}

/**
 * `call`, tried again while the server is unreachable, busy or overloaded, for up to
 * PATIENCE_MS: a wait may last hours, and a web process restart should not end it.
 */
async function patiently<T>(kit: Kit, call: () => Promise<T>): Promise<T> {
  const { clock, io } = kit.ctx;
  const since = clock.now();
  let warned = false;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const transient =
        err instanceof ApiError && (err.status === 0 || err.status === 429 || err.status >= 502);
      if (!transient || clock.now() - since > PATIENCE_MS) throw err;
      if (!warned) io.err(`god: ${err.message}; trying again`);
      warned = true;
      await clock.sleep(Math.min(30, err.retryAfter ?? 2) * 1000);
    }
  }
}

const isOver = (j: Job): boolean => j.state === 'over' || j.state === 'archived';

/** Follows `job` until it ends; returns the final job and the exit status it means. */
export async function waitForJob(
  kit: Kit,
  client: GodClient,
  job: Job,
  opts: { quiet: boolean },
): Promise<{ job: Job; code: ExitCode }> {
  if (job.requirements.array !== null) return waitForArray(kit, client, job);
  const { io, clock } = kit.ctx;
  let last = '';
  let current = job;
  for (;;) {
    const seen = `${current.state}${current.placement ? ` on ${current.placement.host}` : ''}`;
    if (!opts.quiet && seen !== last) io.err(`job ${current.id}: ${seen}`);
    last = seen;
    if (isOver(current)) break;
    await clock.sleep(POLL_MS);
    current = await patiently(kit, () => client.getJob(job.id));
  }
  const end = exitOf({
    id: current.id,
    outcome: current.outcome,
    exitcode: current.status.exitcode,
    reason: current.status.reason,
  });
  if (end.message !== null) io.err(`god: ${end.message}`);
  return { job: current, code: end.code };
}

/** Tasks of array `parent` that ended, by outcome. */
export async function countTasks(
  client: GodClient,
  parent: number,
): Promise<{ done: number; succeeded: number }> {
  let done = 0;
  let succeeded = 0;
  for await (const t of client.allJobs({ parent, state: ['over', 'archived'], limit: 1000 })) {
    done++;
    if (t.outcome === 'success') succeeded++;
  }
  return { done, succeeded };
}

async function waitForArray(
  kit: Kit,
  client: GodClient,
  job: Job,
): Promise<{ job: Job; code: ExitCode }> {
  const total = job.requirements.array?.count ?? 0;
  const progress = createProgress(kit, job.id, total);
  let current = job;
  let counts = { done: 0, succeeded: 0 };
  try {
    for (;;) {
      current = await patiently(kit, () => client.getJob(job.id));
      // Read after the array: once it is over, so are all of its tasks.
      counts = await patiently(kit, () => countTasks(client, job.id));
      progress.update(counts.done, counts.done - counts.succeeded);
      if (isOver(current)) break;
      await kit.ctx.clock.sleep(ARRAY_POLL_MS);
    }
  } finally {
    progress.stop();
  }
  if (current.outcome === 'success' && counts.succeeded === total) return { job: current, code: 0 };
  const failed = counts.done - counts.succeeded;
  kit.ctx.io.err(
    `god: array ${job.id} ended ${current.outcome ?? current.state}: ${counts.succeeded} of ${total} tasks succeeded` +
      `, ${failed} failed, ${total - counts.done} did not run`,
  );
  return { job: current, code: 1 };
}

interface Progress {
  update(done: number, failed: number): void;
  stop(): void;
}

/** A bar when stderr is a terminal; else a line on stderr each time the count changes. */
function createProgress(kit: Kit, id: number, total: number): Progress {
  const { ctx } = kit;
  if (ctx.isTTY.stderr) {
    const bar = new cliProgress.SingleBar(
      {
        stream: ctx.stderr,
        format: `array ${id} [{bar}] {value}/{total} tasks done | {failed} failed | {duration_formatted}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { failed: 0 });
    return { update: (done, failed) => bar.update(done, { failed }), stop: () => bar.stop() };
  }
  let shown = -1;
  let at = 0;
  let pending: string | null = null;
  return {
    update(done, failed) {
      if (done === shown) return;
      shown = done;
      pending = `array ${id}: ${done}/${total} tasks done, ${failed} failed`;
      if (ctx.clock.now() - at < LINE_EVERY_MS && done < total) return;
      ctx.io.err(pending);
      pending = null;
      at = ctx.clock.now();
    },
    stop() {
      if (pending !== null) ctx.io.err(pending);
    },
  };
}
