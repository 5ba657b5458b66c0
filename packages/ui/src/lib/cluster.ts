/**
 * The cluster map's pure parts: a stable colour per job, the accessible name of a core or GPU
 * cell, a host's status and the totals of a host. The API decides who is named: another
 * user's job arrives as 'busy' and stays so here.
 */
import type { ClusterHost, Holder } from '@god/client';

/** A colour for job `id`, the same on every render and every page (golden-angle hues). */
export function jobColour(id: number): string {
  const hue = Math.round((id * 137.508) % 360);
  return `hsl(${hue} 62% 42%)`;
}

/** `core 3: job 42 (alice)`, `core 3: busy`, `gpu 0: free`. */
export function cellLabel(kind: 'core' | 'gpu', id: number, holder: Holder): string {
  if (holder === null) return `${kind} ${id}: free`;
  if (holder === 'busy') return `${kind} ${id}: busy`;
  return `${kind} ${id}: job ${holder.id} (${holder.user})`;
}

/** Lost (no heartbeat) wins over reserved. */
export type HostStatus = 'lost' | 'reserved' | 'up';

/** What the map marks a host as. */
export function hostStatus(host: ClusterHost): HostStatus {
  if (!host.alive) return 'lost';
  return host.reservedFor !== null ? 'reserved' : 'up';
}

/** `users alice, bob; projects astro` — who a reserved host is kept for. */
export function reservedText(r: NonNullable<ClusterHost['reservedFor']>): string {
  const parts: string[] = [];
  if (r.users.length > 0) parts.push(`users ${r.users.join(', ')}`);
  if (r.projects.length > 0) parts.push(`projects ${r.projects.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'nobody';
}

/** Cores and GPUs of a host, and how many are held. */
export interface HostTotals {
  cores: number;
  coresBusy: number;
  gpus: number;
  gpusBusy: number;
  ramGB: number;
  ramUsedGB: number;
}

/** The totals of `host` over its shards. */
export function hostTotals(host: ClusterHost): HostTotals {
  const t: HostTotals = { cores: 0, coresBusy: 0, gpus: 0, gpusBusy: 0, ramGB: 0, ramUsedGB: 0 };
  for (const s of host.shards) {
    t.cores += s.cores.length;
    t.coresBusy += s.cores.filter((c) => c.job !== null).length;
    t.gpus += s.gpus.length;
    t.gpusBusy += s.gpus.filter((g) => g.job !== null).length;
    t.ramGB += s.ramGB;
    t.ramUsedGB += s.ramUsedGB;
  }
  return t;
}

/** `12.5 GB`: RAM in GB with at most one decimal. */
export function formatGB(gb: number): string {
  if (!Number.isFinite(gb) || gb < 0) return '—';
  return `${gb >= 100 ? Math.round(gb) : Math.round(gb * 10) / 10} GB`;
}
