/** Users, projects and the usage ledger: the parts both adapters share. */
import { GodError } from '@god/core';
import { DEFAULT_PROJECT, type Project, type UsageTotals, type User } from './store.js';

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

/** Of the users whose ids equal `login` without case: the exact one, else the only one. */
export function pickUser(login: string, candidates: readonly User[]): User | null {
  return (
    candidates.find((u) => u.id === login) ?? (candidates.length === 1 ? candidates[0]! : null)
  );
}

/** Throws CONFLICT when `others` (stored ids equal to `id` without case) holds another spelling. */
export function checkNewLogin(id: string, others: readonly string[]): void {
  const other = others.find((o) => o !== id);
  if (other !== undefined)
    throw new GodError(
      'CONFLICT',
      `user ${other} exists: logins differing only in case are the same user`,
    );
}

/** `^<login>$` as a case-insensitive pattern, every character taken literally. */
export function exactPattern(login: string): string {
  return `^${login.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')}$`;
}
