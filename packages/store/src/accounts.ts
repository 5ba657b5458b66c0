/** Users, projects and the usage ledger: the parts both adapters share. */
import { DEFAULT_PROJECT, type Project, type UsageTotals } from './store.js';

/** The project created on open when missing, so every user has one to submit to. */
export function defaultProject(now: number): Project {
  return {
    id: DEFAULT_PROJECT,
    description: 'Default project',
    members: [],
    priority: 50,
    quota: null,
    limits: null,
    createdAt: now,
  };
}

/** `YYYY-MM-DD` of an epoch-ms instant, in UTC (the ledger's day boundaries). */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Totals of an empty ledger. */
export function zeroTotals(): UsageTotals {
  return { cpuSeconds: 0, ramGBSeconds: 0, gpuSeconds: 0, wallSeconds: 0, jobs: 0 };
}
