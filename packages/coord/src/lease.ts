/**
 * Leader election on a Redis lease, in the manner of Kubernetes' leader election: a holder renews
 * its lease every `retryMs`, and gives up leadership as soon as it has gone `renewDeadlineMs`
 * without a successful renewal. Because `ttlMs > renewDeadlineMs`, it has stopped leading before
 * its lease can expire and before anyone else can take it. Each term gets a fencing epoch, larger
 * than every earlier one, for writers to carry (see lease-scripts.ts).
 *
 * Times are measured from when a command was *sent*: Redis applies the TTL when it runs the
 * command, which is later, so the lease is known to last at least `sent + ttlMs`.
 */
import { randomBytes } from 'node:crypto';
import { GodError, ValidationError, type FieldIssue } from '@god/core';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { silentLogger, type Logger } from './logger.js';
import { toInt } from './lua.js';
import { ACQUIRE, CHECK_TERM, RELEASE, RENEW } from './lease-scripts.js';

/** Why a holder stopped leading: `stop()` was called, the lease was found taken, or renewals failed. */
export type StopReason = 'stopped' | 'lost' | 'renew-deadline';

/** Lease timings, in milliseconds; they must satisfy ttl > renewDeadline > retry > 0. */
export interface LeaseTiming {
  ttlMs: number;
  renewDeadlineMs: number;
  retryMs: number;
}

/** What `createLeaderElector` needs. */
export interface LeaderElectorOptions extends LeaseTiming {
  /** Best a dedicated connection, with `enableOfflineQueue: false` so commands fail fast when down. */
  redis: Redis;
  keys: Keys;
  /** The role the lease is for, e.g. `scheduler`. */
  name: string;
  /** Who this contender is (host, pid), shown to people; ownership is proved by a random token. */
  holderId: string;
  /**
   * Called on each new term with its epoch and a signal aborted when the term ends. May be called
   * again later with a larger epoch. Not awaited: leading runs while the lease is renewed.
   */
  onStartedLeading(epoch: number, signal: AbortSignal): void | Promise<void>;
  /** Called when a term ends, right after its signal is aborted. */
  onStoppedLeading(reason: StopReason): void;
  /** The lowest epoch a new term may get (e.g. the highest epoch the Store has recorded). */
  epochFloor?: () => Promise<number>;
  logger?: Logger;
}

/** A contender for a leader lease. */
export interface LeaderElector {
  /** Starts contending; resolves after the first attempt to take the lease. Once only. */
  start(): Promise<void>;
  /** Stops contending; ends the term if leading and, unless `release: false`, frees the lease. */
  stop(opts?: { release?: boolean }): Promise<void>;
  /** True while leading and within the renew deadline of the last successful renewal. */
  isLeader(): boolean;
  /** The current term's epoch, or null when not leading. */
  epoch(): number | null;
  /** Asks Redis whether this term is still current (lease ours, epoch unchanged); fails fast. */
  checkEpoch(): Promise<boolean>;
}

/** Throws a `ValidationError` unless ttl > renewDeadline > retry > 0 (all integers). */
export function checkLeaseTiming(t: LeaseTiming): void {
  const issues: FieldIssue[] = [];
  const { ttlMs, renewDeadlineMs, retryMs } = t;
  for (const [path, value] of Object.entries({ ttlMs, renewDeadlineMs, retryMs })) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      issues.push({ path, message: `must be a positive integer (ms), got ${String(value)}` });
    }
  }
  if (!(t.ttlMs > t.renewDeadlineMs)) {
    issues.push({ path: 'renewDeadlineMs', message: 'must be less than ttlMs' });
  }
  if (!(t.renewDeadlineMs > t.retryMs)) {
    issues.push({ path: 'retryMs', message: 'must be less than renewDeadlineMs' });
  }
  if (issues.length > 0) {
    throw new ValidationError('invalid leader lease timing', issues, 'INVALID_CONFIG');
  }
}

/** Creates a contender for lease `name`; throws if the timings are inconsistent. */
export function createLeaderElector(opts: LeaderElectorOptions): LeaderElector {
  checkLeaseTiming(opts);
  return new Elector(opts);
}

/** One term of leadership. */
interface Term {
  value: string;
  epoch: number;
  controller: AbortController;
  /** When the last successful acquire/renew was sent. */
  lastOkAt: number;
  deadline: NodeJS.Timeout | undefined;
}

const now = (): number => performance.now();

class Elector implements LeaderElector {
  private readonly log: Logger;
  private readonly leaseKey: string;
  private readonly epochKey: string;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private term: Term | null = null;
  /** Lease value for the next term; kept across attempts so a lost reply is recognised. */
  private value: string;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LeaderElectorOptions) {
    this.log = opts.logger ?? silentLogger;
    this.leaseKey = opts.keys.lease(opts.name);
    this.epochKey = opts.keys.leaseEpoch(opts.name);
    this.value = this.newValue();
  }

  start(): Promise<void> {
    if (this.state !== 'new') throw new GodError('CONFLICT', 'leader elector already started');
    this.state = 'running';
    this.current = this.step();
    return this.current;
  }

  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.timer);
    await this.current;
    const ended = this.stepDown('stopped');
    if (ended && opts.release !== false) await this.releaseQuietly(ended.value);
  }

  isLeader(): boolean {
    const t = this.term;
    return t !== null && now() - t.lastOkAt < this.opts.renewDeadlineMs;
  }

  epoch(): number | null {
    return this.isLeader() ? (this.term?.epoch ?? null) : null;
  }

  async checkEpoch(): Promise<boolean> {
    const t = this.term;
    if (t === null || !this.isLeader()) return false;
    const reply = await this.timed(
      CHECK_TERM.run(this.opts.redis, [this.leaseKey, this.epochKey], [t.epoch, t.value]),
    );
    return toInt(reply) === 1 && this.term === t;
  }

  /** One round: renew if leading, else try to acquire; then schedule the next round. */
  private async step(): Promise<void> {
    const startedAt = now();
    try {
      if (this.term) await this.renew(this.term);
      else await this.tryAcquire();
    } catch (err) {
      this.log.warn(
        { err, lease: this.opts.name, holderId: this.opts.holderId },
        'lease round failed',
      );
    }
    if (this.state === 'running') {
      const delay = Math.max(0, this.opts.retryMs - (now() - startedAt));
      this.timer = setTimeout(() => {
        this.current = this.step();
      }, delay);
    }
  }

  private async tryAcquire(): Promise<void> {
    const floor = this.opts.epochFloor ? await this.timed(this.opts.epochFloor()) : 0;
    const sentAt = now();
    const reply = await this.timed(
      ACQUIRE.run(
        this.opts.redis,
        [this.leaseKey, this.epochKey],
        [this.value, this.opts.ttlMs, floor],
      ),
    );
    const epoch = toInt(reply);
    if (epoch === 0) return;
    if (this.state !== 'running' || now() - sentAt >= this.opts.renewDeadlineMs) {
      // Stopped meanwhile, or the reply came too late to lead safely: hand the lease back.
      await this.releaseQuietly(this.value);
      return;
    }
    this.startLeading(epoch, sentAt);
  }

  private async renew(t: Term): Promise<void> {
    const sentAt = now();
    const reply = await this.timed(
      RENEW.run(this.opts.redis, [this.leaseKey], [t.value, this.opts.ttlMs]),
    );
    if (this.term !== t) return; // the term ended while we waited: the reply is stale
    if (toInt(reply) !== 1) {
      this.stepDown('lost');
      return;
    }
    t.lastOkAt = sentAt;
    this.armDeadline(t);
  }

  private startLeading(epoch: number, sentAt: number): void {
    const t: Term = {
      value: this.value,
      epoch,
      controller: new AbortController(),
      lastOkAt: sentAt,
      deadline: undefined,
    };
    this.term = t;
    this.armDeadline(t);
    this.log.info(
      { lease: this.opts.name, holderId: this.opts.holderId, epoch },
      'started leading',
    );
    this.callback('onStartedLeading', () => this.opts.onStartedLeading(epoch, t.controller.signal));
  }

  /** Ends the current term (if any) locally; returns it so the caller may release its lease. */
  private stepDown(reason: StopReason): Term | null {
    const t = this.term;
    if (t === null) return null;
    this.term = null;
    clearTimeout(t.deadline);
    // The next term must get a new epoch, so it must not look like a retry of this one.
    this.value = this.newValue();
    t.controller.abort(
      new GodError('UNAVAILABLE', `leadership of ${this.opts.name} ended: ${reason}`, {
        retryable: true,
      }),
    );
    const fields = { lease: this.opts.name, holderId: this.opts.holderId, epoch: t.epoch, reason };
    if (reason === 'stopped') this.log.info(fields, 'stopped leading');
    else this.log.warn(fields, 'stopped leading');
    this.callback('onStoppedLeading', () => this.opts.onStoppedLeading(reason));
    // Renewals failed but the lease may still be ours: free it so a standby need not wait the TTL.
    if (reason === 'renew-deadline') void this.releaseQuietly(t.value);
    return t;
  }

  private armDeadline(t: Term): void {
    clearTimeout(t.deadline);
    const left = t.lastOkAt + this.opts.renewDeadlineMs - now();
    t.deadline = setTimeout(() => {
      if (this.term === t) this.stepDown('renew-deadline');
    }, left);
  }

  private async releaseQuietly(value: string): Promise<void> {
    try {
      await this.timed(RELEASE.run(this.opts.redis, [this.leaseKey], [value]));
    } catch (err) {
      this.log.warn({ err, lease: this.opts.name }, 'lease release failed');
    }
  }

  /** Bounds a Redis round trip by `retryMs` so a hung connection never stalls the loop. */
  private timed<T>(p: Promise<T>): Promise<T> {
    return withTimeout(p, this.opts.retryMs);
  }

  private callback(which: string, fn: () => void | Promise<void>): void {
    const fail = (err: unknown): void =>
      this.log.error({ err, lease: this.opts.name, callback: which }, 'leader callback failed');
    try {
      const result = fn();
      if (result instanceof Promise) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  private newValue(): string {
    return `${randomBytes(16).toString('hex')}:${this.opts.holderId}`;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new GodError('UNAVAILABLE', `Redis did not answer within ${ms} ms`, { retryable: true }),
        ),
      ms,
    );
  });
  // The losing promise may still reject later; that is expected and must not go unhandled.
  p.catch(() => undefined);
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
