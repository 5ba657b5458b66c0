/**
 * Running watcher plugins: every plugin's interval, the running jobs are read and handed to it;
 * the jobs it names are killed through their host's agent (outcome `killed`, the plugin's
 * reason). A kill is sent once per run (job and attempt); the agent ends the job when the
 * executor reports the stop.
 */
import type { ControlMessage, Job, WatcherPlugin } from '@god/core';
import type { Logger } from '@god/coord';
import type { Store } from '@god/store';

/** What running the plugins needs. */
export interface PluginRunDeps {
  store: Store;
  logger: Logger;
  now(): number;
  sendToHost(host: string, msg: ControlMessage): Promise<void>;
}

/** Every job in state `running` (placed or not), read a page at a time. */
export async function runningJobs(store: Store): Promise<Job[]> {
  const out: Job[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listJobs({ state: 'running' }, { limit: 1_000, cursor });
    out.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** Runs one plugin over the running jobs and kills what it names; `sent` remembers kills sent. */
export async function runPlugin(
  deps: PluginRunDeps,
  plugin: WatcherPlugin,
  sent: Set<string>,
): Promise<number> {
  const jobs = await runningJobs(deps.store);
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const live = new Set(jobs.map(runKey));
  // Runs that ended no longer need remembering.
  for (const key of sent) if (!live.has(key)) sent.delete(key);
  let killed = 0;
  for (const verdict of plugin.check(jobs, deps.now())) {
    const job = byId.get(verdict.jobId);
    if (job?.placement == null || sent.has(runKey(job))) continue;
    await deps.sendToHost(job.placement.host, {
      jobId: job.id,
      action: 'kill',
      reason: verdict.reason,
    });
    sent.add(runKey(job));
    killed += 1;
    deps.logger.info(
      { jobId: job.id, plugin: plugin.name, reason: verdict.reason },
      'watcher plugin kills a job',
    );
  }
  return killed;
}

function runKey(job: Job): string {
  return `${job.id}:${job.attempts}`;
}
