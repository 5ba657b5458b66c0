/**
 * One scheduling pass: candidates best first from the policy, project limits and array limits,
 * placement (with EASY backfill), then the commit: a fenced `pending -> scheduled` per job and
 * one bulk dispatch to the shards' queues. Why-pending changes are written at the end.
 */
import type { DispatchMessage, PendingWhy, Placement } from '@god/core';
import { adjustHeld, projectLimitReached, type Held } from './admission.js';
import type { Leader } from './leader.js';
import type { ConsiderResult } from './placement/index.js';
import type { SchedJob } from './sched-job.js';

/** What one pass did. */
export interface PassStats {
  considered: number;
  placed: number;
  /** Candidates that lost the compare-and-set (changed meanwhile). */
  conflicts: number;
  ms: number;
}

/** At most this many candidates are looked at per pass, whatever the queue length. */
const MAX_CONSIDERED_FACTOR = 4;
/** Why-pending writes per pass: the first candidates matter; the rest update on later passes. */
const MAX_WHY_WRITES = 500;
/** Placements committed in one store write, then sent to the queues while the next commits. */
const COMMIT_CHUNK = 500;

/** Runs one pass for the leader. */
export async function runPass(leader: Leader): Promise<PassStats> {
  const { deps } = leader;
  const t0 = performance.now();
  const now = deps.now();
  const stats: PassStats = { considered: 0, placed: 0, conflicts: 0, ms: 0 };
  if (leader.maintenance) {
    // The first jobs in order say why they wait (a bounded number a pass, like other reasons).
    const order = leader.state.policy.ordered(now);
    for (let n = 0, next = order.next(); next.done !== true; next = order.next()) {
      const job = leader.state.pending.get(next.value.id);
      if (job !== undefined)
        leader.setWhy(job, {
          code: 'MAINTENANCE',
          message: 'scheduling is paused for maintenance (god maintenance off resumes it)',
        });
      if (++n >= MAX_WHY_WRITES) break;
    }
    await flushWhy(leader);
    await leader.syncCounters(now); // kills and reschedules still move the counters
    return stats;
  }
  await leader.refreshHosts(now);
  await leader.parked.recheck(leader, now);
  await leader.enforceQuotas(now);
  const batch = deps.config.scheduler.batch;
  const chosen = chooseCandidates(leader, now, batch, stats);
  await commit(leader, chosen, now, stats);
  for (const [id, reason] of leader.takeRejections())
    await leader.end(id, 'pending', 'rejected', reason);
  await flushWhy(leader);
  await leader.syncCounters(now);
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
  leader: Leader,
  chosen: Array<[SchedJob, Placement]>,
  now: number,
  stats: PassStats,
): Promise<void> {
  const sending: Array<Promise<void>> = [];
  for (let at = 0; at < chosen.length; at += COMMIT_CHUNK) {
    const chunk = chosen.slice(at, at + COMMIT_CHUNK);
    const placed = await leader.writer.placeMany(
      chunk.map(([job, placement]) => ({
        id: job.id,
        patch: {
          placement,
          epoch: leader.epoch,
          reason: `placed on ${placement.host}/${placement.shard} cores ${placement.cpus}`,
          at: now,
        },
      })),
    );
    const dispatch: DispatchMessage[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const [job, placement] = chunk[i]!;
      const stored = placed[i] ?? null;
      leader.state.forget(job.id);
      if (stored === null) {
        // Killed or held meanwhile: give the allocation back; its event updates the rest.
        stats.conflicts += 1;
        leader.state.cluster.release(job.id);
        leader.countTask(job, -1);
        // Mostly a kill that won the race: the job is no longer a pending task.
        leader.leftPending(job);
        continue;
      }
      leader.state.place(job, now);
      leader.leftPending(job);
      stats.placed += 1;
      dispatch.push({
        jobId: job.id,
        attempt: stored.attempts,
        epoch: leader.epoch,
        host: placement.host,
        shard: placement.shard,
      });
      await leader.taskPlaced(job);
    }
    if (dispatch.length > 0) {
      const sent = leader.deps.dispatch(dispatch);
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
  leader: Leader,
  now: number,
  batch: number,
  stats: PassStats,
): Array<[SchedJob, Placement]> {
  const { state } = leader;
  const pass = state.cluster.beginPass(now);
  const chosen: Array<[SchedJob, Placement]> = [];
  const tally = new Map<string, Held>();
  const failed = new Map<string, ConsiderResult>();
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
      leader.projects.get(job.project)?.limits ?? null,
      sumHeld(state.held.get(job.project), tally.get(job.project)),
      job,
    );
    if (limit !== null) {
      leader.setWhy(job, { code: 'PROJECT_LIMIT', message: limit });
      continue;
    }
    if (!leader.mayPlace(job)) {
      leader.setWhy(job, {
        code: 'ARRAY_LIMIT',
        message: `array ${job.parent} runs as many tasks as its %limit allows`,
      });
      continue;
    }
    // Capacity only shrinks during a pass, so a shape that did not fit will not fit later in
    // it: with a full cluster and a long queue, each further candidate costs a lookup.
    const shape = shapeKey(job);
    const known = shape === null ? undefined : failed.get(shape);
    const r = known ?? pass.consider(job);
    if (!r.ok && known === undefined && shape !== null && pass.reservation()?.jobId !== job.id)
      failed.set(shape, r); // the head (which took the reservation) has its own message
    if (r.ok) {
      // Counted as held at once so the project limit holds within this pass too.
      state.policy.remove(job.id);
      chosen.push([job, r.placement]);
      // Counted at once so a project limit also holds between the candidates of this pass.
      adjustHeld(tally, job, 1);
      leader.countTask(job, 1);
      continue;
    }
    if (r.never === true && leader.neverFits(job.id, now)) {
      leader.rejectLater(job.id, r.message);
      continue;
    }
    leader.setWhy(job, { code: r.code, message: r.message });
  }
  return chosen;
}

/**
 * What `consider` depends on for a job without ports, labels or a group: its size, run time and
 * owner (reserved hosts). Null for the others, which are always considered.
 */
function shapeKey(job: SchedJob): string | null {
  if (job.ports.length > 0 || job.label.length > 0 || job.group !== null) return null;
  return `${job.cpu}|${job.ram}|${job.gpus}|${job.maxlifespan}|${job.user}|${job.project}`;
}

function sumHeld(a: Held | undefined, b: Held | undefined): Held | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return { cpu: a.cpu + b.cpu, ram: a.ram + b.ram, gpus: a.gpus + b.gpus, jobs: a.jobs + b.jobs };
}

/** Writes the why-pending changes gathered since the last flush (a bounded number per pass). */
async function flushWhy(leader: Leader): Promise<void> {
  if (leader.why.size === 0) return;
  const batch: Array<[number, PendingWhy]> = [];
  for (const entry of leader.why) {
    batch.push(entry);
    if (batch.length >= MAX_WHY_WRITES) break;
  }
  for (const [id] of batch) leader.why.delete(id);
  await Promise.all(batch.map(([id, why]) => leader.deps.store.setPendingReason(id, why)));
}
