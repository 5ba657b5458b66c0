/**
 * Decayed usage accounts. An account stores (value, at) and is decayed on read, so charging one
 * user touches one account and nothing is swept periodically. Running jobs accrue into the account
 * continuously: with a total rate r (billing units per second) of running jobs since `at`, the
 * value at t is value·2^(-(t-at)/h) + r·h/ln2·(1 - 2^(-(t-at)/h)), exact for any number of jobs
 * because decay is linear.
 */
import { BYTES_PER_GB, type JobUsage, type QueuedJob } from '@god/core';

/** Decayed usage, in billing units (weighted resource-seconds). */
export interface Account {
  /** Value as of `at`. */
  value: number;
  /** Epoch ms. */
  at: number;
  /** Billing units per second of the running jobs charged to this account. */
  rate: number;
}

/** Billing weights per resource-second. */
export interface Billing {
  cpu: number;
  ram: number;
  gpu: number;
}

/** An empty account. */
export function newAccount(): Account {
  return { value: 0, at: Number.NEGATIVE_INFINITY, rate: 0 };
}

/** Billing units of measured usage. */
export function billUsage(usage: JobUsage, b: Billing): number {
  const amount = usage.cpuSeconds * b.cpu + usage.ramGBSeconds * b.ram + usage.gpuSeconds * b.gpu;
  return Number.isFinite(amount) && amount > 0 ? amount : 0;
}

/** Billing units per second of a job's allocation. */
export function billRate(job: QueuedJob, b: Billing): number {
  // `b.ram` weighs GB-seconds, as the ledger books them; the job's RAM is in bytes.
  const rate = job.cpu * b.cpu + (job.ram / BYTES_PER_GB) * b.ram + job.gpus * b.gpu;
  return Number.isFinite(rate) && rate > 0 ? rate : 0;
}

/** Exponential decay with a half-life; all times in epoch ms. */
export class Decay {
  private readonly lambda: number;
  /** Accrued value of a rate of 1/s running forever: h/ln2, in seconds. */
  private readonly horizon: number;

  constructor(halfLifeSeconds: number) {
    this.lambda = Math.LN2 / (halfLifeSeconds * 1000);
    this.horizon = halfLifeSeconds / Math.LN2;
  }

  /** What one unit is worth after `dtMs`. */
  factor(dtMs: number): number {
    return dtMs > 0 ? Math.exp(-this.lambda * dtMs) : 1;
  }

  /** Decayed value at the end of `dtMs` of running at `rate` units/s. */
  accrued(rate: number, dtMs: number): number {
    // expm1 keeps precision for short intervals, where 1 - exp(-x) would cancel.
    return dtMs > 0 ? rate * this.horizon * -Math.expm1(-this.lambda * dtMs) : 0;
  }

  /** The account's value at `now` (its value as of `at` if `now` is earlier). */
  read(a: Account, now: number): number {
    if (!(now > a.at)) return a.value;
    const dt = now - a.at;
    return a.value * this.factor(dt) + this.accrued(a.rate, dt);
  }

  /** Moves the account to `now` (never backwards). */
  advance(a: Account, now: number): void {
    if (!(now > a.at)) return;
    a.value = this.read(a, now);
    a.at = now;
  }

  /** Books `amount` at time `at` (decayed if the account is already past it). */
  add(a: Account, amount: number, at: number): void {
    this.advance(a, at);
    a.value += amount * this.factor(a.at - at);
  }

  /** A job started at `since` with `rate`: from then on it accrues into the account. */
  start(a: Account, rate: number, since: number): void {
    this.advance(a, since);
    a.value += this.accrued(rate, a.at - since);
    a.rate += rate;
  }

  /** The job that started at `since` stopped at `now`: its accrual leaves the account. */
  stop(a: Account, rate: number, since: number, now: number, last: boolean): void {
    this.advance(a, now);
    a.value = Math.max(0, a.value - this.accrued(rate, a.at - since));
    // The last running job resets the rate exactly, so float drift cannot leave a ghost rate.
    a.rate = last ? 0 : Math.max(0, a.rate - rate);
  }
}
