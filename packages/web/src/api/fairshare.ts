/**
 * `GET /fairshare`: where each user and project stands in the fair-share policy now, computed
 * here from the store (usage ledger, priorities, placed and queued jobs) with the FairShare
 * plugin's own ledger (fairShareStanding), so the numbers are the scheduler's. Non-admins see
 * their own row and their projects'; administrators everyone's, with the fairness error.
 */
import { parseOrThrow, sameLogin, type Job } from '@god/core';
import {
  bookedAt,
  fairShareStanding,
  FairShareConfigSchema,
  USAGE_HORIZON_DAYS,
  type PartyStanding,
  type StandingInput,
} from '@god/policy-fairshare';
import { DEFAULT_PROJECT, type Project, type Store } from '@god/store';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { WebContext } from '../context.js';
import { route, type Route } from '../http/route.js';
import { FairshareView } from './schemas.js';

type View = z.output<typeof FairshareView>;
type Row = Omit<View['users'][number], 'user'>;
type Deps = Pick<WebContext, 'config' | 'store' | 'now'>;

/** The running jobs as the leader charges them (array records hold nothing themselves). */
async function running(store: Store, now: number): Promise<StandingInput['running']> {
  const out: Array<StandingInput['running'][number]> = [];
  let cursor: string | null = null;
  do {
    const page = await store.listJobs(
      { state: ['scheduled', 'running', 'suspended'] },
      { limit: 1000, cursor },
    );
    for (const job of page.jobs.filter((j) => !isArrayRecord(j)))
      out.push({ job: queuedOf(job), since: job.status.dates.scheduled ?? now });
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

function isArrayRecord(job: Job): boolean {
  return job.requirements.array !== null && job.parent === null;
}

function queuedOf(job: Job): StandingInput['running'][number]['job'] {
  const r = job.requirements;
  const { id, user } = job;
  const submitted = job.status.dates.submitted;
  return {
    id,
    user: user.id,
    project: user.project,
    submitted,
    cpu: r.cpu,
    ram: r.ram,
    gpus: r.gpus,
  };
}

/** Everything the standing is computed from, read from the store. */
async function standingInput(ctx: Deps, projects: Project[]): Promise<StandingInput> {
  const now = ctx.now();
  const [users, days, placed, parties] = await Promise.all([
    ctx.store.listUsers(),
    ctx.store.usageByDay({ since: now - USAGE_HORIZON_DAYS * 86_400_000 }),
    running(ctx.store, now),
    ctx.store.countActiveByParty(),
  ]);
  return {
    priorities: {
      users: new Map(users.map((u) => [u.id, u.priority])),
      projects: new Map(projects.map((p) => [p.id, p.priority])),
    },
    usage: days.map((d) => ({
      user: d.user,
      project: d.project,
      at: bookedAt(d.day),
      usage: { ...d, maxRamBytes: 0 },
    })),
    running: placed,
    queued: parties.filter((p) => p.state === 'pending' && p.count > 0),
    known: { users: users.map((u) => u.id), projects: projects.map((p) => p.id) },
  };
}

/** Rows with ranks (1 = highest score) over everyone, before any filtering. */
function rows(list: PartyStanding[], fair: boolean, admin: boolean): Array<Row & { name: string }> {
  const ranked = [...list].sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1));
  const rank = new Map(ranked.map((p, i) => [p.name, i + 1]));
  return list.map((p) => ({
    name: p.name,
    share: fair ? p.targetShare : null,
    usage: p.usage,
    priority: fair ? p.score : null,
    factors: fair
      ? {
          fairshare: p.factor,
          usageShare: p.usageShare,
          configuredPriority: p.priority,
          active: p.active,
        }
      : null,
    rank: fair ? (rank.get(p.name) ?? null) : null,
    ...(admin && fair && { fairnessError: p.usageShare - p.targetShare }),
  }));
}

/** The projects `p` may see the standing of: theirs, and the default one everyone is in. */
function mine(p: Principal, projects: Project[]): Set<string> {
  const out = new Set([DEFAULT_PROJECT]);
  for (const proj of projects) if (proj.members.some((m) => sameLogin(m, p.id))) out.add(proj.id);
  return out;
}

/** The fair-share route. */
export function fairshareRoute(ctx: Deps): Route {
  return route({
    method: 'get',
    path: '/fairshare',
    summary: 'where users and projects stand in the fair share (yours; everyone’s for admins)',
    tags: ['usage'],
    access: 'user',
    response: FairshareView,
    handler: async ({ principal }): Promise<View> => {
      const fair = ctx.config.scheduler.policy === 'FairShare';
      // Under FIFO, usage is still shown as FairShare's defaults would count it.
      const settings = parseOrThrow(
        FairShareConfigSchema,
        fair ? (ctx.config.plugins['FairShare'] ?? {}) : {},
        'plugins.FairShare',
        'INVALID_CONFIG',
      );
      const projects = await ctx.store.listProjects();
      const s = fairShareStanding(settings, await standingInput(ctx, projects), ctx.now());
      const visible = mine(principal, projects);
      const users = rows(s.users, fair, principal.admin)
        .filter((r) => principal.admin || sameLogin(r.name, principal.id))
        .map(({ name, ...r }) => ({ user: name, ...r }));
      const projectRows = rows(s.projects, fair, principal.admin)
        .filter((r) => principal.admin || visible.has(r.name))
        .map(({ name, ...r }) => ({ project: name, ...r }));
      return { policy: fair ? 'fairshare' : 'fifo', users, projects: projectRows };
    },
  });
}
