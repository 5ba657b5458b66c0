/**
 * How a leader term follows the event stream: hosts and settings changes, a job submitted or
 * changed elsewhere (held, released, killed, rescheduled), a job ended (resources back, usage
 * charged to the policy, dependents admitted, its array moved on).
 */
import { EVENTS, type Job } from '@god/core';
import { usageOf } from './admission.js';
import type { ArrayTracker } from './array-tracker.js';
import type { Intake } from './intake.js';
import type { Term } from './leader-deps.js';
import type { PendingCounters } from './pending-counters.js';
import type { Quotas } from './quotas.js';

/** What following the events needs of the rest of the term. */
export interface TermEventsDeps {
  term: Term;
  counters: Pick<PendingCounters, 'add' | 'leftPending'>;
  intake: Pick<Intake, 'admit'>;
  quotas: Pick<Quotas, 'ended'>;
  arrays: Pick<ArrayTracker, 'ended'>;
  /** Re-reads the maintenance flag, priorities and accounts. */
  loadSettings(): Promise<void>;
  poke(): void;
}

/** Applies the events of the stream to one leader term's state. */
export class TermEvents {
  constructor(private readonly d: TermEventsDeps) {}

  /** Applies one event of the stream (hosts, settings, or a job that changed or ended). */
  async on(type: string, jobId: number | undefined): Promise<void> {
    const { state, deps } = this.d.term;
    if (type === EVENTS.hosts) {
      state.cluster.updateHosts(await deps.hosts());
      return this.d.poke();
    }
    if (type === EVENTS.settings) {
      await this.d.loadSettings();
      return this.d.poke();
    }
    if (jobId === undefined) return;
    const job = await deps.store.getJob(jobId);
    if (job === null) return;
    if (type === EVENTS.ended || job.state === 'over' || job.state === 'archived')
      return this.onEnded(job);
    if (type === EVENTS.submitted || type === EVENTS.changed) return this.onChanged(job);
  }

  private async onChanged(job: Job): Promise<void> {
    const { state } = this.d.term;
    const known = state.pending.get(job.id);
    if (job.state === 'pending' || job.state === 'held') {
      if (known !== undefined) state.forget(job.id);
      // A rescheduled job gives its resources back and is a pending task again.
      if (state.release(job.id) !== undefined && known === undefined)
        this.d.counters.add(job.user.id, 1);
      return this.d.intake.admit(job);
    }
    if (known !== undefined && !state.placed.has(job.id)) {
      state.forget(job.id);
      this.d.counters.leftPending(known);
    }
  }

  private async onEnded(job: Job): Promise<void> {
    const { state, deps } = this.d.term;
    const known = state.forget(job.id);
    if (known !== undefined) this.d.counters.leftPending(known);
    this.d.quotas.ended(job.id);
    const placed = state.release(job.id);
    if (placed !== undefined) {
      const usage =
        job.usage ??
        usageOf(
          placed.job,
          Math.max(0, ((job.status.dates.ended ?? deps.now()) - placed.since) / 1000),
        );
      state.usage?.ended(placed.job, usage, deps.now());
    }
    for (const id of state.finish(job.id, job.outcome, {
      id: job.user.id,
      project: job.user.project,
    })) {
      const waiting = await deps.store.getJob(id);
      if (waiting !== null) {
        state.forget(id);
        await this.d.intake.admit(waiting);
      }
    }
    await this.d.arrays.ended(job);
    this.d.poke();
  }
}
