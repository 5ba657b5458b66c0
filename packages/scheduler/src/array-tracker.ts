/**
 * The job arrays of one leader term: the progress of each, its tasks made a window at a time
 * (parked while no host could run one), `%limit` counted from the moment a pass chooses a task,
 * the array started on its first task and ended once its tasks have.
 */
import type { Job } from '@god/core';
import {
  arrayOutcome,
  isComplete,
  mayPlaceTask,
  newProgress,
  nextTasks,
  progressFrom,
  tasksWanted,
  type ArrayProgress,
} from './arrays.js';
import type { FencedWriter } from './fenced-writer.js';
import type { EndJob, Term } from './leader-deps.js';
import type { NeverFits } from './never-fits.js';
import { ParkedArrays, type Parking } from './parked-arrays.js';
import type { PendingCounters } from './pending-counters.js';
import { isArrayJob, schedJobOf, type SchedJob } from './sched-job.js';
import { pages } from './store-pages.js';
import type { WhyLog } from './why-log.js';

/** What array tracking needs of the rest of the term. */
export interface ArrayTrackerDeps {
  term: Term;
  writer: Pick<FencedWriter, 'transition'>;
  counters: Pick<PendingCounters, 'stopArray'>;
  why: WhyLog;
  never: Pick<NeverFits, 'neverFits' | 'clear'>;
  end: EndJob;
  /** Wakes the pass loop (new tasks to place). */
  poke(): void;
}

/** The arrays of one leader term, by parent id. */
export class ArrayTracker {
  readonly progress = new Map<number, ArrayProgress>();
  /** Arrays whose tasks are not made while no current host could run one. */
  readonly parked = new ParkedArrays();
  private readonly parking: Parking;

  constructor(private readonly d: ArrayTrackerDeps) {
    const { term, why, never, counters } = d;
    this.parking = {
      cluster: () => term.state.cluster,
      pending: (id) => term.state.pending.get(id),
      arrays: this.progress,
      setWhy: (job, w) => why.set(job, w),
      neverFits: (id, now) => never.neverFits(id, now),
      clearNever: (id) => never.clear(id),
      stopArray: (p) => counters.stopArray(p),
      topUpArray: (p) => this.topUp(p),
    };
  }

  /** The progress of an array parent (new if none), holding the parent's latest record. */
  progressOf(parent: Job): ArrayProgress {
    const p = this.progress.get(parent.id) ?? newProgress(parent);
    p.parent = parent;
    this.progress.set(parent.id, p);
    return p;
  }

  /** Reads an array's tasks from the store and records its progress (at a rebuild). */
  async load(parent: Job): Promise<ArrayProgress> {
    const tasks: Job[] = [];
    for await (const t of pages(this.d.term.deps.store, undefined, parent.id)) tasks.push(t);
    const p = progressFrom(parent, tasks);
    this.progress.set(parent.id, p);
    return p;
  }

  /** Once a pass: tries again the parked arrays whose hosts changed. */
  recheckParked(now: number): Promise<void> {
    return this.parked.recheck(this.parking, now);
  }

  /**
   * Materialises more tasks of an array when its window has room and some host fits its tasks
   * (else parks it: see `ParkedArrays`); ends it when complete.
   */
  async topUp(p: ArrayProgress): Promise<void> {
    const { deps, state } = this.d.term;
    const window = deps.config.scheduler.array_window;
    if (tasksWanted(p, window) > 0 && this.parked.park(this.parking, p)) return;
    const tasks = nextTasks(p, window);
    if (tasks.length > 0) {
      const inserted = await deps.store.insertJobs(tasks);
      p.nextIndex += inserted.length;
      p.live += inserted.length;
      for (const t of inserted) state.enqueue(schedJobOf(t));
      this.d.poke();
    }
    if (isComplete(p)) {
      const current = await deps.store.getJob(p.parent.id);
      if (current !== null && current.state !== 'over' && current.state !== 'archived') {
        const started = current.state === 'running';
        // Still `progress` while it ends, so that its unmade tasks leave the counters.
        await this.d.end(
          p.parent.id,
          started ? 'running' : current.state === 'held' ? 'held' : 'pending',
          started || p.rejected !== null ? arrayOutcome(p) : 'killed',
          p.rejected ?? `${p.ended} tasks ended, ${p.failed} not successfully`,
        );
      }
      this.progress.delete(p.parent.id);
    }
  }

  /** True if an array task may be placed now (`%limit`). */
  mayPlace(job: SchedJob): boolean {
    if (job.parent === null) return true;
    const p = this.progress.get(job.parent);
    return p === undefined || mayPlaceTask(p);
  }

  /**
   * Counts a task against its array's `%limit` as soon as a pass chooses it (so the limit also
   * holds between the candidates of one pass); `by = -1` gives it back if the commit failed.
   */
  countTask(job: SchedJob, by: 1 | -1): void {
    const p = job.parent === null ? undefined : this.progress.get(job.parent);
    if (p !== undefined) p.placed = Math.max(0, p.placed + by);
  }

  /** After a task's placement: start the array job on its first task. */
  async taskPlaced(job: SchedJob): Promise<void> {
    if (job.parent === null) return;
    const p = this.progress.get(job.parent);
    if (p === undefined || p.parent.state !== 'pending') return;
    const started = await this.d.writer.transition(p.parent.id, 'pending', 'running', {
      arrayParent: true,
      reason: 'first task placed',
    });
    if (started) {
      p.parent = { ...p.parent, state: 'running' };
      // Its tasks not started stay on the counters: they are still pending.
      this.d.term.state.forget(p.parent.id);
    }
  }

  /** A task that fits no host rejects its array: no more of its tasks are made. */
  taskRejected(id: number, reason: string): void {
    const parent = this.d.term.state.pending.get(id)?.parent ?? null;
    const p = parent === null ? undefined : this.progress.get(parent);
    if (p !== undefined && !p.stopped) {
      p.rejected = reason;
      this.d.counters.stopArray(p);
    }
  }

  /** A job ended: an array killed from outside, or one of an array's tasks. */
  async ended(job: Job): Promise<void> {
    if (isArrayJob(job)) {
      // The array was killed from outside: stop making tasks and kill the live ones.
      const p = this.progress.get(job.id);
      if (p === undefined) return;
      p.killed = true;
      this.d.counters.stopArray(p);
      await this.killTasks(job.id);
      await this.topUp(p); // forgets it now if it had no live task
      return;
    }
    if (job.parent === null) return;
    const p = this.progress.get(job.parent);
    if (p === undefined) return;
    p.live -= 1;
    p.ended += 1;
    if (job.placement !== null || job.status.dates.scheduled !== null)
      p.placed = Math.max(0, p.placed - 1);
    if (job.outcome !== 'success') p.failed += 1;
    await this.topUp(p);
  }

  private async killTasks(parent: number): Promise<void> {
    const { deps } = this.d.term;
    const live: Array<Job['state']> = ['pending', 'held', 'scheduled', 'running', 'suspended'];
    for await (const t of pages(deps.store, live, parent)) {
      if (t.state === 'pending' || t.state === 'held')
        await this.d.end(t.id, t.state, 'killed', `array ${parent} killed`);
      else if (t.placement !== null)
        await deps.control(t.placement.host, {
          jobId: t.id,
          action: 'kill',
          reason: `array ${parent} killed`,
        });
    }
  }
}
