/** Test builder: a placed job on the fake cluster's first generated host, every field filled. */
import type { Job, JobRequirements } from '@god/core';

/** A scheduled job `id` needing `req` (1 cpu, 1 GB, no GPU by default) with `env`. */
export function makeJob(
  id: number,
  env: Record<string, string> = {},
  req: Partial<JobRequirements> = {},
): Job {
  return {
    id,
    state: 'scheduled',
    outcome: null,
    user: { id: 'alice', uid: 1001, gid: 1001, sgids: [], project: 'default' },
    meta: { name: `job-${id}`, description: '', tags: [] },
    requirements: {
      cpu: 1,
      ram: 2 ** 30,
      gpus: 0,
      array: null,
      label: [],
      tasks: [],
      ports: [],
      tmpstorage: null,
      maxlifespan: 0,
      executor: null,
      group: null,
      ...req,
    },
    container: { image: 'busybox', volumes: [], root: false },
    command: { cmd: 'true', interactive: false },
    env,
    parent: null,
    taskId: null,
    status: {
      primary: 'pending',
      secondary: 'scheduled',
      reason: '',
      exitcode: null,
      dates: { submitted: 0, scheduled: 0, started: null, ended: null, archived: null },
    },
    why: null,
    placement: { host: 'fake-1', shard: 'numa0', cpus: '0', mems: '0', gpus: [], ports: [] },
    epoch: 1,
    attempts: 1,
    usage: null,
  };
}
