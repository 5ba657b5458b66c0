/**
 * The leader's only way to write a job's state: every `transition` and `placeMany` it makes
 * carries its term's fencing epoch, and the store refuses it once a newer leader raised the fence.
 * A refusal by the fence throws `FencedError`, which ends the term at once.
 */
import type { Job, TransitionPatch } from '@god/core';
import type { Store } from '@god/store';

/** Thrown when the store refuses a write because a newer leader fenced it. */
export class FencedError extends Error {
  constructor(readonly epoch: number) {
    super(`epoch ${epoch} is fenced off by a newer leader`);
  }
}

/** Fenced state writes of one leader term. */
export interface FencedWriter {
  /** The term's fencing epoch, carried by every write. */
  readonly epoch: number;
  /** Raises the store's fence to this epoch; false when a newer leader already raised it. */
  raise(): Promise<boolean>;
  /** A fenced transition; false when the job had moved on. */
  transition(
    id: number,
    from: Job['state'],
    to: Job['state'],
    patch: TransitionPatch,
  ): Promise<boolean>;
  /** A fenced transition returning the job after it, or null when the job had moved on. */
  transitionJob(
    id: number,
    from: Job['state'],
    to: Job['state'],
    patch: TransitionPatch,
  ): Promise<Job | null>;
  /**
   * Fenced `pending -> scheduled` of a batch of placements in one store write; for each, the
   * job after it, or null when it had moved on.
   */
  placeMany(
    placements: ReadonlyArray<{ id: number; patch: TransitionPatch }>,
  ): Promise<Array<Job | null>>;
}

/** The fenced writer of term `epoch` of the lease `name` on `store`. */
export function createFencedWriter(store: Store, name: string, epoch: number): FencedWriter {
  const fence = { name, epoch };
  const transitionJob: FencedWriter['transitionJob'] = async (id, from, to, patch) => {
    const r = await store.transition(id, from, to, patch, { fence });
    if (!r.ok && r.fenced === true) throw new FencedError(epoch);
    return r.ok ? r.job : null;
  };
  return {
    epoch,
    raise: () => store.raiseFence(name, epoch),
    transitionJob,
    transition: async (id, from, to, patch) => (await transitionJob(id, from, to, patch)) !== null,
    async placeMany(placements) {
      const results = await store.transitionMany(
        placements.map((p) => ({ id: p.id, from: 'pending', to: 'scheduled', patch: p.patch })),
        { fence },
      );
      if (results.some((r) => !r.ok && r.fenced === true)) throw new FencedError(epoch);
      return results.map((r) => (r.ok ? r.job : null));
    },
  };
}
