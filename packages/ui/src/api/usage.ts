/** The reads of the usage page's quotas: whose quotas apply, and the usage in each window. */
import type { GodClient } from '@god/client';
import type { Metric, Quota } from '../lib/usage.js';

/** Totals of `GET /usage`. */
export type UsageTotals = Record<Metric, number> & { jobs: number };

/** The totals of `GET /usage` over [since, now). */
async function usageTotals(
  client: GodClient,
  q: { user?: string; project?: string; since: number },
): Promise<UsageTotals> {
  return (await client.usage(q)).totals as UsageTotals;
}

/** A quota and whose it is. */
export interface QuotaOwner {
  kind: 'user' | 'project';
  id: string;
  quota: Quota;
}

/** The quotas the caller is under: their own and their projects' (with a quota set). */
export async function myQuotas(client: GodClient, user: string): Promise<QuotaOwner[]> {
  const [me, projects] = await Promise.all([client.user(user), client.projects()]);
  const out: QuotaOwner[] = [];
  const own = me['quota'] as Quota | null | undefined;
  if (own) out.push({ kind: 'user', id: user, quota: own });
  for (const p of projects.projects) {
    const quota = p['quota'] as Quota | null | undefined;
    if (quota) out.push({ kind: 'project', id: String(p['id']), quota });
  }
  return out;
}

/** What a quota's owner used in its window, ending now. */
export async function usedInWindow(
  client: GodClient,
  q: QuotaOwner,
  now: number,
): Promise<UsageTotals> {
  const since = now - q.quota.windowSeconds * 1000;
  const who = q.kind === 'user' ? { user: q.id } : { project: q.id };
  return usageTotals(client, { ...who, since });
}
