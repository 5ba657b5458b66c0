/**
 * Grouped counts of jobs in MongoDB, each one aggregation (documents are not loaded). One
 * accumulator per $group: FerretDB v1 computes only the first.
 */
import type { Collection } from 'mongodb';
import { ACTIVE_STATES, type JobState } from '@god/core';
import type { JobDoc } from './mongo-jobs.js';
import { retryBusy } from './mongo-util.js';
import type { PartyCount, TaskCount } from './store.js';

const FINISHED: readonly JobState[] = ['over', 'archived'];

/**
 * The tasks of array `parent` by state and outcome (see Store.countTasks): active states from
 * `jobs`, finished ones from `jobs_done`, so a move into `jobs_done` cut short by a crash is
 * not counted twice (until the sweep completes it, such a task is not counted at all).
 */
export async function countTasks(
  c: { active: Collection<JobDoc>; done: Collection<JobDoc> },
  parent: number,
): Promise<TaskCount[]> {
  const count = (coll: Collection<JobDoc>, states: readonly JobState[]) =>
    retryBusy(() =>
      coll
        .aggregate<{ _id: { state: JobState; outcome: TaskCount['outcome'] }; n: number }>([
          { $match: { parent, state: { $in: [...states] } } },
          { $group: { _id: { state: '$state', outcome: '$outcome' }, n: { $sum: 1 } } },
        ])
        .toArray(),
    );
  const rows = [...(await count(c.active, ACTIVE_STATES)), ...(await count(c.done, FINISHED))];
  return rows.map((r) => ({ state: r._id.state, outcome: r._id.outcome ?? null, count: r.n }));
}

/** Active jobs by user, project and state (see Store.countActiveByParty). */
export async function countActiveByParty(active: Collection<JobDoc>): Promise<PartyCount[]> {
  const rows = await retryBusy(() =>
    active
      .aggregate<{ _id: { user: string; project: string; state: JobState }; n: number }>([
        { $match: { state: { $in: [...ACTIVE_STATES] } } },
        {
          $group: {
            _id: { user: '$user.id', project: '$user.project', state: '$state' },
            n: { $sum: 1 },
          },
        },
      ])
      .toArray(),
  );
  return rows.map((r) => ({ ...r._id, count: r.n }));
}
