/**
 * One scheduling pass: candidates best first from the policy, project limits and array limits,
 * placement (with EASY backfill), then the commit: a fenced `pending -> scheduled` per job and
 * one bulk dispatch to the shards' queues. Why-pending changes are written at the end.
 */
import type { DispatchMessage, Placement } from '@god/core';
import type { ProjectLimits, Store } from '@god/store';
import { adjustHeld, projectLimitReached, type Held } from './admission.js';
import type { ArrayTracker } from './array-tracker.js';
import type { FencedWriter } from './fenced-writer.js';
import type { PassStats } from './leader-deps.js';
import type { LeaderState } from './leader-state.js';
import type { NeverFits } from './never-fits.js';
import type { PendingCounters } from './pending-counters.js';
import { createNumaPlacer, DELEGATED_SHARD, routePlacer, type Placer } from './placer/index.js';
import type { SchedJob } from './sched-job.js';
import { MAX_WHY_WRITES, type WhyLog } from './why-log.js';

export type { PassStats } from './leader-deps.js';

/** What a pass reads and writes of its leader term, and nothing more. */
export interface PassContext {
  /** The term's fencing epoch, carried by each placement and dispatch message. */
  readonly epoch: number;
  /** Scheduling paused (the pass only says why jobs wait). */
  readonly maintenance: boolean;
  /** Placements per pass at most (`scheduler.batch`). */
  readonly batch: number;
  readonly state: LeaderState;
  readonly why: WhyLog;
  readonly writer: Pick<FencedWriter, 'placeMany'>;
  readonly arrays: Pick<ArrayTracker, 'mayPlace' | 'countTask' | 'taskPlaced'>;
  readonly counters: Pick<PendingCounters, 'leftPending' | 'sync'>;
  readonly never: Pick<NeverFits, 'neverFits' | 'rejectLater' | 'take'>;
  readonly store: Pick<Store, 'setPendingReason'>;
  /** The executor of jobs that name none (`executor`). */
  readonly defaultExecutor: string;
  /**
   * This pass's placers of the executors that place jobs themselves, by executor name, each
   * admitting against the capacity its executor last reported; other jobs get the NUMA placer.
   */
  delegatedPlacers(now: number): ReadonlyMap<string, Placer>;
  /** The limits of a project, or null. */
  projectLimits(project: string): ProjectLimits | null;
  /** Before choosing: refreshes the hosts, rechecks parked arrays, enforces quotas. */
  prepare(now: number): Promise<void>;
  /** Ends a pending job the pass rejected. */
  reject(id: number, reason: string): Promise<boolean>;
  dispatch(messages: readonly DispatchMessage[]): Promise<void>;
  now(): number;
}

/** At most this many candidates are looked at per pass, whatever the queue length. */
const MAX_CONSIDERED_FACTOR = 4;
/** Placements committed in one store write, then sent to the queues while the next commits. */
const COMMIT_CHUNK = 500;

/** Runs one pass of a leader term. */
export async function runPass(ctx: PassContext): Promise<PassStats> {
  const t0 = performance.now();
  const now = ctx.now();
  const stats: PassStats = { considered: 0, placed: 0, conflicts: 0, ms: 0 };
  if (ctx.maintenance) {
    // The first jobs in order say why they wait (a bounded number a pass, like other reasons).
    const order = ctx.state.policy.ordered(now);
    for (let n = 0, next = order.next(); next.done !== true; next = order.next()) {
      const job = ctx.state.pending.get(next.value.id);
      if (job !== undefined)
        ctx.why.set(job, {
          code: 'MAINTENANCE',
          message: 'scheduling is paused for maintenance (god maintenance off resumes it)',
        });
      if (++n >= MAX_WHY_WRITES) break;
    }
    await ctx.why.flush(ctx.store);
    await ctx.counters.sync(now); // kills and reschedules still move the counters
    return stats;
  }
  await ctx.prepare(now);
  const chosen = chooseCandidates(ctx, now, ctx.batch, stats);
  await commit(ctx, chosen, now, stats);
  for (const [id, reason] of ctx.never.take()) await ctx.reject(id, reason);
  await ctx.why.flush(ctx.store);
  await ctx.counters.sync(now);
  stats.ms = performance.now() - t0;
  return stats;
}

/**
 * Commits the chosen placements a chunk at a time (one fenced `pending -> scheduled` batch in
 * the store per chunk) and hands each committed chunk to the shards' queues while the next one
 * commits, so the agents start on the first chunk early. A job is always committed before its
 * message is sent.
 */
async function commit(
  ctx: PassContext,
  chosen: Array<[SchedJob, Placement]>,
  now: number,
  stats: PassStats,
): Promise<void> {
  const sending: Array<Promise<void>> = [];
  for (let at = 0; at < chosen.length; at += COMMIT_CHUNK) {
    const chunk = chosen.slice(at, at + COMMIT_CHUNK);
    const placed = await ctx.writer.placeMany(
      chunk.map(([job, placement]) => ({
        id: job.id,
        patch: {
          placement,
          epoch: ctx.epoch,
          reason: placedReason(placement),
          at: now,
        },
      })),
    );
    const dispatch: DispatchMessage[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const [job, placement] = chunk[i]!;
      const stored = placed[i] ?? null;
      ctx.state.forget(job.id);
      if (stored === null) {
        // Killed or held meanwhile: give the allocation back; its event updates the rest.
        stats.conflicts += 1;
        ctx.state.cluster.release(job.id);
        ctx.arrays.countTask(job, -1);
        // Mostly a kill that won the race: the job is no longer a pending task.
        ctx.counters.leftPending(job);
        continue;
      }
      ctx.state.place(job, now);
      ctx.counters.leftPending(job);
      stats.placed += 1;
      dispatch.push({
        jobId: job.id,
        attempt: stored.attempts,
        epoch: ctx.epoch,
        host: placement.host,
        shard: placement.shard,
      });
      await ctx.arrays.taskPlaced(job);
    }
    if (dispatch.length > 0) {
      const sent = ctx.dispatch(dispatch);
      sent.catch(() => undefined); // awaited below: a failure still fails the pass
      sending.push(sent);
    }
    // Lets the queue writes go out (and lease renewals run) while the next chunk commits.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await Promise.all(sending);
}

/** Walks the policy's order and places what fits; returns the placements to commit. */
function chooseCandidates(
  ctx: PassContext,
  now: number,
  batch: number,
  stats: PassStats,
): Array<[SchedJob, Placement]> {
  const { state } = ctx;
  const numa = createNumaPlacer(state.cluster.beginPass(now));
  const delegated = ctx.delegatedPlacers(now);
  const chosen: Array<[SchedJob, Placement]> = [];
  const tally = new Map<string, Held>();
  const iterator = state.policy.ordered(now);
  const maxConsidered = batch * MAX_CONSIDERED_FACTOR;
  while (chosen.length < batch && stats.considered < maxConsidered) {
    const next = iterator.next();
    if (next.done === true) break;
    const job = state.pending.get(next.value.id);
    if (job === undefined) continue;
    stats.considered += 1;
    const limit = projectLimitReached(
      job.project,
      ctx.projectLimits(job.project),
      sumHeld(state.held.get(job.project), tally.get(job.project)),
      job,
    );
    if (limit !== null) {
      ctx.why.set(job, { code: 'PROJECT_LIMIT', message: limit });
      continue;
    }
    if (!ctx.arrays.mayPlace(job)) {
      ctx.why.set(job, {
        code: 'ARRAY_LIMIT',
        message: `array ${job.parent} runs as many tasks as its %limit allows`,
      });
      continue;
    }
    const r = routePlacer(job, numa, delegated, ctx.defaultExecutor).place(job);
    if (r.ok) {
      // Counted as held at once so the project limit holds within this pass too.
      state.policy.remove(job.id);
      chosen.push([job, r.placement]);
      // Counted at once so a project limit also holds between the candidates of this pass.
      adjustHeld(tally, job, 1);
      ctx.arrays.countTask(job, 1);
      continue;
    }
    if (r.never === true && ctx.never.neverFits(job.id, now)) {
      ctx.never.rejectLater(job.id, r.message);
      continue;
    }
    ctx.why.set(job, { code: r.code, message: r.message });
  }
  return chosen;
}

/** The transition's reason: where god placed the job, or the executor it was handed to. */
function placedReason(p: Placement): string {
  if (p.shard === DELEGATED_SHARD) return `handed to executor ${p.host}, which places it`;
  return `placed on ${p.host}/${p.shard} cores ${p.cpus}`;
}

function sumHeld(a: Held | undefined, b: Held | undefined): Held | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return { cpu: a.cpu + b.cpu, ram: a.ram + b.ram, gpus: a.gpus + b.gpus, jobs: a.jobs + b.jobs };
}
