/** Why-pending changes noted during a pass and written to the store after it, a bounded number a pass. */
import type { PendingWhy } from '@god/core';
import type { Store } from '@god/store';
import type { SchedJob } from './sched-job.js';

/** Why-pending writes per pass: the first candidates matter; the rest update on later passes. */
export const MAX_WHY_WRITES = 500;

/** The why-pending changes not yet written. */
export class WhyLog {
  private readonly why = new Map<number, PendingWhy>();

  /** Records a why-pending change, written to the store after the pass. */
  set(job: SchedJob, why: PendingWhy): void {
    if (job.whyCode === why.code && why.code !== 'DEPENDENCY') return;
    job.whyCode = why.code;
    this.why.set(job.id, why);
  }

  /** Writes the changes gathered since the last flush (a bounded number per pass). */
  async flush(store: Pick<Store, 'setPendingReason'>): Promise<void> {
    if (this.why.size === 0) return;
    const batch: Array<[number, PendingWhy]> = [];
    for (const entry of this.why) {
      batch.push(entry);
      if (batch.length >= MAX_WHY_WRITES) break;
    }
    for (const [id] of batch) this.why.delete(id);
    await Promise.all(batch.map(([id, why]) => store.setPendingReason(id, why)));
  }
}
