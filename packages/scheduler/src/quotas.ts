/**
 * Quotas in true resource-seconds: the usage of a user or project in its window (the ledger plus
 * what its placed jobs have accrued so far), the check at admission, and with
 * `quotas.kill_on_limit` the kill of placed jobs once their owner's quota is reached.
 */
import type { Store, User } from '@god/store';
import { quotaExceeded, usageOf } from './admission.js';
import type { Accounts } from './accounts.js';
import type { Term } from './leader-deps.js';
import type { PlacedJob } from './leader-state.js';
import type { SchedJob } from './sched-job.js';

type Totals = Awaited<ReturnType<Store['usageTotals']>>;

/** Usage windows and quota enforcement of one leader term. */
export class Quotas {
  private readonly usageCache = new Map<string, { at: number; totals: Totals }>();
  private quotaAt = 0;
  private readonly killed = new Set<number>();

  constructor(
    private readonly term: Term,
    private readonly accounts: Accounts,
  ) {}

  /** A reason if the job's user or project quota refuses it. */
  async check(job: SchedJob): Promise<string | null> {
    const user = this.accounts.users.get(job.user);
    const project = this.accounts.projects.get(job.project);
    const adding = usageOf(job, job.maxlifespan);
    for (const [who, quota, key] of [
      [`user ${job.user}`, user?.quota ?? null, { user: job.user }],
      [`project ${job.project}`, project?.quota ?? null, { project: job.project }],
    ] as const) {
      if (quota === null) continue;
      const used = await this.usedInWindow(key, quota.windowSeconds);
      const reason = quotaExceeded(who, quota, used, adding);
      if (reason !== null) return reason;
    }
    return null;
  }

  /** Ledger usage in the window plus what placed jobs have accrued so far; cached for 5 s. */
  async usedInWindow(
    key: { user?: string; project?: string },
    windowSeconds: number,
  ): Promise<Totals> {
    const { deps, state } = this.term;
    const now = deps.now();
    const id = `${key.user ?? ''}|${key.project ?? ''}|${windowSeconds}`;
    let cached = this.usageCache.get(id);
    if (cached === undefined || now - cached.at > 5_000) {
      cached = {
        at: now,
        totals: await deps.store.usageTotals({ ...key, since: now - windowSeconds * 1000 }),
      };
      this.usageCache.set(id, cached);
    }
    const totals = { ...cached.totals };
    for (const p of state.placed.values()) {
      if (
        (key.user !== undefined && p.job.user !== key.user) ||
        (key.project !== undefined && p.job.project !== key.project)
      )
        continue;
      const u = usageOf(p.job, Math.max(0, (now - p.since) / 1000));
      totals.cpuSeconds += u.cpuSeconds;
      totals.ramGBSeconds += u.ramGBSeconds;
      totals.gpuSeconds += u.gpuSeconds;
      totals.wallSeconds += u.wallSeconds;
    }
    return totals;
  }

  /**
   * With `quotas.kill_on_limit`, at most every 2 s: kills the placed jobs of each user and
   * project whose quota (ledger in the window plus what placed jobs accrued) is reached.
   */
  async enforce(now: number): Promise<void> {
    const { deps, state } = this.term;
    if (!deps.config.quotas.kill_on_limit || now - this.quotaAt < 2_000) return;
    this.quotaAt = now;
    const zero = usageOf({ cpu: 0, ram: 0, gpus: 0 }, 0);
    for (const g of this.groups().values()) {
      const used = await this.usedInWindow(g.key, g.quota.windowSeconds);
      const reason = quotaExceeded(g.who, g.quota, used, zero);
      if (reason === null) continue;
      for (const p of g.jobs) {
        const placement = state.cluster.placementOf(p.job.id);
        if (placement === null || this.killed.has(p.job.id)) continue;
        this.killed.add(p.job.id);
        await deps.control(placement.host, {
          jobId: p.job.id,
          action: 'kill',
          reason,
          outcome: 'quota',
        });
      }
    }
  }

  /** Forgets a kill sent for a job that has now ended. */
  ended(id: number): void {
    this.killed.delete(id);
  }

  /** The placed jobs by user and by project with a quota. */
  private groups(): Map<string, QuotaGroup> {
    const groups = new Map<string, QuotaGroup>();
    for (const p of this.term.state.placed.values()) {
      const user = this.accounts.users.get(p.job.user)?.quota ?? null;
      const project = this.accounts.projects.get(p.job.project)?.quota ?? null;
      if (user !== null)
        addGroup(groups, `u:${p.job.user}`, `user ${p.job.user}`, user, { user: p.job.user }, p);
      if (project !== null)
        addGroup(
          groups,
          `p:${p.job.project}`,
          `project ${p.job.project}`,
          project,
          { project: p.job.project },
          p,
        );
    }
    return groups;
  }
}

type QuotaGroup = {
  who: string;
  quota: NonNullable<User['quota']>;
  key: { user?: string; project?: string };
  jobs: PlacedJob[];
};

function addGroup(
  groups: Map<string, QuotaGroup>,
  id: string,
  who: string,
  quota: NonNullable<User['quota']>,
  key: QuotaGroup['key'],
  p: PlacedJob,
): void {
  let g = groups.get(id);
  if (g === undefined) groups.set(id, (g = { who, quota, key, jobs: [] }));
  g.jobs.push(p);
}
