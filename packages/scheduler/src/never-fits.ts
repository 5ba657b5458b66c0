/**
 * Jobs that fit no registered host: rejected once they have fit none for
 * `scheduler.host_timeout_ms` (a host only briefly away, an agent restarting, must not get jobs
 * rejected), the rejections committed after the pass's placements.
 */
import type { Term } from './leader-deps.js';

/** Since when each job fits no host, and the rejections queued during a pass. */
export class NeverFits {
  private readonly since = new Map<number, number>();
  private rejections: Array<[number, string]> = [];

  /** `onReject` hears of each rejection as it is queued (an array stops making tasks). */
  constructor(
    private readonly term: Pick<Term, 'deps'>,
    private readonly onReject: (id: number, reason: string) => void,
  ) {}

  /** True once a job has fit no registered host for `host_timeout_ms`. */
  neverFits(id: number, now: number): boolean {
    const since = this.since.get(id);
    if (since === undefined) this.since.set(id, now);
    return since !== undefined && now - since >= this.term.deps.config.scheduler.host_timeout_ms;
  }

  /** Forgets since when a job fits no host (it fits again, or was decided). */
  clear(id: number): void {
    this.since.delete(id);
  }

  /** Queues a rejection to commit after the pass's placements. */
  rejectLater(id: number, reason: string): void {
    this.since.delete(id);
    this.rejections.push([id, reason]);
    this.onReject(id, reason);
  }

  /** The rejections queued during the pass. */
  take(): Array<[number, string]> {
    const r = this.rejections;
    this.rejections = [];
    return r;
  }
}
