/**
 * `god demo`: brings up the configured store (the embedded SQLite by default), submits a sample
 * job through the same validation as the API, and walks it through the state machine the way the
 * scheduler and the watcher will: pending -> scheduled -> running -> over, then archived.
 */
import { hostname } from 'node:os';
import {
  newJobFromSubmission,
  parseJobSubmission,
  type Config,
  type Job,
  type JobState,
  type TransitionPatch,
} from '@god/core';
import { createStore, type Store } from '@god/store';
import type { ExitCode, Output } from '../output.js';

/** Who runs the demo: the local account, as the auth plugin would resolve it. */
export interface DemoUser {
  id: string;
  uid: number;
  gid: number;
}

/** Runs the demo against `config.store`; returns 0 when every step behaved as the contract says. */
export async function demo(config: Config, user: DemoUser, io: Output): Promise<ExitCode> {
  const store = await createStore(config.store);
  try {
    return await walkJob(store, user, io);
  } finally {
    await store.close();
  }
}

async function walkJob(store: Store, user: DemoUser, io: Output): Promise<ExitCode> {
  io.out(`store: ${store.kind}`);
  const submission = parseJobSubmission({
    meta: { name: 'hello-god', tags: ['demo'] },
    requirements: { cpu: 1, ram: '512M' },
    container: { image: 'god-test/busybox:latest' },
    command: { cmd: '#!/bin/sh\necho "hello from $GODOCKER_JID"\n' },
  });
  const [job] = await store.insertJobs([newJobFromSubmission(submission, { ...user, sgids: [] })]);
  if (job === undefined) throw new Error('the store returned no job for one insert');
  io.out(
    `submitted job ${job.id} (${job.meta.name}) for ${job.user.id} uid=${job.user.uid} gid=${job.user.gid}`,
  );
  show(io, job);

  const placement = { host: hostname(), shard: 'numa0', cpus: '0', mems: '0', gpus: [], ports: [] };
  const steps: Array<[JobState, JobState, TransitionPatch]> = [
    ['pending', 'scheduled', { placement, epoch: 1, reason: 'placed on cores 0 of numa0' }],
    ['scheduled', 'running', { reason: 'container started' }],
    ['running', 'over', { outcome: 'success', exitcode: 0, reason: 'exit code 0' }],
  ];
  let current = job;
  for (const [from, to, patch] of steps) {
    const r = await store.transition(current.id, from, to, patch);
    if (!r.ok) {
      io.err(`god: ${from} -> ${to} refused, job is ${r.actual ?? 'missing'}`);
      return 1;
    }
    current = r.job;
    show(io, current);
  }

  // A second writer that still believes the job is running must lose the compare-and-set.
  const stale = await store.transition(current.id, 'running', 'over', { outcome: 'killed' });
  io.out(
    `stale kill of a finished job: ${stale.ok ? 'ACCEPTED (bug)' : `refused, job is ${stale.actual}`}`,
  );

  const wall = ((current.status.dates.ended ?? 0) - (current.status.dates.started ?? 0)) / 1000;
  await store.recordUsage({
    jobId: current.id,
    user: current.user.id,
    project: current.user.project,
    at: current.status.dates.ended ?? Date.now(),
    cpuSeconds: wall,
    ramGBSeconds: wall * 0.5,
    gpuSeconds: 0,
    wallSeconds: wall,
  });
  const totals = await store.usageTotals({ user: user.id, since: 0 });
  io.out(`usage of ${user.id}: ${totals.jobs} jobs, ${totals.cpuSeconds.toFixed(3)} cpu·s`);

  const archived = await store.transition(current.id, 'over', 'archived');
  if (archived.ok) show(io, archived.job);
  return stale.ok || !archived.ok ? 1 : 0;
}

function show(io: Output, job: Job): void {
  const s = job.status;
  const where = job.placement
    ? ` on ${job.placement.host}/${job.placement.shard} cpus ${job.placement.cpus}`
    : '';
  io.out(
    `  job ${job.id}: ${job.state}${job.outcome ? `(${job.outcome})` : ''}  [GO-Docker ${s.primary}${s.secondary ? `/${s.secondary}` : ''}]${where}${s.reason ? ` - ${s.reason}` : ''}`,
  );
}
