/**
 * Reconciliation of lost hosts: placed jobs (`scheduled`, `running`, `suspended`) whose host's
 * agent has not heartbeated for `scheduler.host_timeout_ms` are queued again or ended `lost`,
 * as `failure_policy` says. Every write is a compare-and-set that also checks the attempt read,
 * so several watchers may sweep at once: a job is retried or ended once per attempt.
 *
 * A host that is not registered at all (removed, or Redis lost its data) counts as lost only
 * after this sweeper has seen it missing for the whole timeout: after a Redis restart agents
 * register again within a heartbeat, and their jobs must not be thrown out meanwhile.
 */
import { EVENTS, PLACED_STATES, type Config, type Job } from '@god/core';
import type { EventPublisher, Logger, NodeRegistry } from '@god/coord';
import type { Store } from '@god/store';

/** What the failure policy does with a job whose host was lost. */
export type LostDecision = 'retry' | 'end';

/**
 * `retry` while the job has been placed at most `retries` times before this loss (its
 * `attempts` count placements, this one included), when the policy retries at all.
 */
export function lostDecision(
  job: Pick<Job, 'attempts'>,
  policy: Config['failure_policy'],
): LostDecision {
  return policy.on_lost === 'retry' && job.attempts < policy.retries + 1 ? 'retry' : 'end';
}

/** What one sweep did. */
export interface SweepResult {
  retried: number;
  lost: number;
}

/** What the sweeper needs. */
export interface LostHostDeps {
  store: Store;
  registry: NodeRegistry;
  events: EventPublisher;
  config: Config;
  logger: Logger;
  now(): number;
}

/** Finds placed jobs on lost hosts and applies the failure policy; call `sweep` periodically. */
export class LostHostSweeper {
  /** Hosts seen unregistered, and since when (this process's clock). */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly deps: LostHostDeps) {}

  /** One pass over the placed jobs (the active table only, bounded by the cluster's size). */
  async sweep(): Promise<SweepResult> {
    const isLost = await this.lostCheck();
    const result: SweepResult = { retried: 0, lost: 0 };
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = await this.deps.store.listJobs({ state: PLACED_STATES }, { limit: 500, cursor });
      for (const job of page.jobs) {
        const host = job.placement?.host;
        if (host === undefined) continue;
        seen.add(host);
        if (!isLost(host)) continue;
        const done = await this.apply(job, host);
        if (done !== null) result[done === 'retry' ? 'retried' : 'lost'] += 1;
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    // Forget hosts no job is placed on any more.
    for (const host of this.missingSince.keys())
      if (!seen.has(host)) this.missingSince.delete(host);
    return result;
  }

  /**
   * A check of one host name: registered and past the timeout, or unregistered and seen missing
   * for the whole timeout (unregistered hosts are known only from the jobs placed on them).
   */
  private async lostCheck(): Promise<(host: string) => boolean> {
    const timeout = this.deps.config.scheduler.host_timeout_ms;
    const alive = new Set((await this.deps.registry.alive(timeout)).map((e) => e.host.name));
    const registered = new Set((await this.deps.registry.list()).map((e) => e.host.name));
    const now = this.deps.now();
    return (host) => {
      if (registered.has(host)) {
        this.missingSince.delete(host);
        return !alive.has(host);
      }
      const since = this.missingSince.get(host) ?? now;
      this.missingSince.set(host, since);
      return now - since >= timeout;
    };
  }

  /** Retries or ends `job`; the decision taken, or null when the job had moved on. */
  private async apply(job: Job, host: string): Promise<LostDecision | null> {
    const { store, events, config, logger } = this.deps;
    const decision = lostDecision(job, config.failure_policy);
    const reason = `host ${host} stopped answering`;
    const expect = { expect: { attempts: job.attempts } };
    const fields = { jobId: job.id, host, attempt: job.attempts, decision };
    const res =
      decision === 'retry'
        ? await store.transition(
            job.id,
            job.state,
            'pending',
            { reason, why: { code: 'NEW', message: reason } },
            expect,
          )
        : await store.transition(
            job.id,
            job.state,
            'over',
            { outcome: 'lost', exitcode: null, reason },
            expect,
          );
    if (!res.ok) {
      logger.info({ ...fields, actual: res.actual }, 'lost job had moved on');
      return null;
    }
    if (decision === 'retry') {
      await events.publish(EVENTS.changed, { jobId: job.id, state: 'pending' });
    } else {
      await events.publish(EVENTS.ended, { jobId: job.id, outcome: 'lost' });
    }
    logger.warn(fields, decision === 'retry' ? 'job of a lost host queued again' : 'job lost');
    return decision;
  }
}
