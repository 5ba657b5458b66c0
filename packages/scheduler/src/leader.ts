/**
 * One term of leadership: rebuild the in-memory state from the store, then keep it current from
 * the event stream and run scheduling passes on events and on a tick, until the term ends.
 * Every scheduling write goes through the term's fenced writer; a refused write ends the term.
 * The concerns live in their own modules, wired here: admission (intake.ts, quotas.ts),
 * arrays (array-tracker.ts), the pending counters (pending-counters.ts), jobs that fit no host
 * (never-fits.ts), why-pending (why-log.ts); a pass (pass.ts) sees only its PassContext.
 */
import { EVENTS, type DispatchMessage, type Job, type JobOutcome } from '@god/core';
import { bookedAt, USAGE_HORIZON_DAYS } from '@god/policy-fairshare';
import { Accounts } from './accounts.js';
import { ArrayTracker } from './array-tracker.js';
import { isComplete } from './arrays.js';
import { createFencedWriter, type FencedWriter } from './fenced-writer.js';
import { Intake } from './intake.js';
import type { LeaderDeps, Term } from './leader-deps.js';
import { LeaderState } from './leader-state.js';
import { NeverFits } from './never-fits.js';
import { runPass, type PassContext, type PassStats } from './pass.js';
import {
  createDelegatedPlacer,
  DELEGATED_SHARD,
  roomOf,
  type DelegatedCapacity,
  type PlacedShare,
  type Placer,
} from './placer/index.js';
import { PendingCounters } from './pending-counters.js';
import { createCluster, placementRequestOf } from './placement/index.js';
import { Quotas } from './quotas.js';
import { isArrayJob, schedJobOf } from './sched-job.js';
import { pages } from './store-pages.js';
import { TermEvents } from './term-events.js';
import { WhyLog } from './why-log.js';

export type { LeaderDeps, Logger } from './leader-deps.js';

/** The leader of one term (epoch). */
export class Leader implements Term {
  state!: LeaderState;
  /** Every state write of this term, fenced with its epoch. */
  readonly writer: FencedWriter;
  /** Scheduling paused: as an operator last said at run time, else as the config file says. */
  get maintenance(): boolean {
    return this.operatorMaintenance ?? this.deps.config.scheduler.maintenance;
  }
  lastPass: PassStats | null = null;
  /** Passes run this term (tests wait on it rather than on the clock). */
  passes = 0;

  private readonly accounts = new Accounts();
  private readonly why = new WhyLog();
  private readonly quotas: Quotas;
  private readonly never: NeverFits;
  private readonly arrays: ArrayTracker;
  private readonly counters: PendingCounters;
  private readonly intake: Intake;
  private readonly pass: PassContext;
  /**
   * The delegating executors seen this term and what is known of their capacity, read before
   * each pass; null for one whose registry entry went stale (its jobs then wait, not elsewhere).
   */
  private readonly capacity = new Map<string, DelegatedCapacity | null>();
  private readonly events: TermEvents;
  private operatorMaintenance: boolean | null = null;
  private wake: (() => void) | null = null;
  /** Events, passes and rebuilds run one at a time, in order, on this chain. */
  private chain: Promise<unknown> = Promise.resolve();
  private reloadWith: LeaderDeps | null = null;
  private dirty = true;
  private hostsAt = 0;

  constructor(
    public deps: LeaderDeps,
    readonly epoch: number,
    readonly signal: AbortSignal,
  ) {
    this.writer = createFencedWriter(deps.store, 'scheduler', epoch);
    const end = this.end.bind(this);
    const poke = this.poke.bind(this);
    this.quotas = new Quotas(this, this.accounts);
    this.never = new NeverFits(this, (id, reason) => this.arrays.taskRejected(id, reason));
    this.arrays = new ArrayTracker({
      term: this,
      writer: this.writer,
      counters: { stopArray: (p) => this.counters.stopArray(p) },
      why: this.why,
      never: this.never,
      end,
      poke,
    });
    this.counters = new PendingCounters(this, this.arrays.progress);
    this.intake = new Intake({
      term: this,
      accounts: this.accounts,
      quotas: this.quotas,
      arrays: this.arrays,
      why: this.why,
      end,
      poke,
    });
    this.pass = this.passContext();
    this.events = new TermEvents({
      term: this,
      counters: this.counters,
      intake: this.intake,
      quotas: this.quotas,
      arrays: this.arrays,
      loadSettings: () => this.loadSettings(),
      poke,
    });
  }

  /** Runs the term until the signal aborts (or a fenced write shows a newer leader). */
  async run(): Promise<void> {
    const { logger } = this.deps;
    if (!(await this.writer.raise())) {
      logger.warn({ epoch: this.epoch }, 'a newer leader already fenced the store');
      return;
    }
    const from = await this.deps.lastEventId();
    await this.rebuild();
    if (this.signal.aborted) return; // lost the lease while rebuilding
    const events = this.deps.consume(
      from,
      (type, jobId) => this.exclusive(() => this.events.on(type, jobId)),
      this.signal,
    );
    try {
      await this.loop();
    } finally {
      await events.catch((err: unknown) =>
        logger.warn({ err }, 'event consumer ended with an error'),
      );
    }
  }

  /** Runs `fn` after everything queued before it: state changes never interleave. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    // The caller gets the failure through `run`; the chain only orders what comes next.
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Takes new settings: the state is rebuilt from the store with the new policy before the next pass. */
  reload(deps: LeaderDeps): void {
    this.reloadWith = deps;
    this.deps = deps;
    this.poke();
  }

  /** The delegating executors seen this term and their capacity (null: not answering). */
  get delegates(): ReadonlyMap<string, DelegatedCapacity | null> {
    return this.capacity;
  }

  /** Wakes the pass loop soon (an event changed something). */
  poke(): void {
    this.dirty = true;
    this.wake?.();
  }

  /** What a pass sees of this term: made once, read through getters (no allocation a pass). */
  private passContext(): PassContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters read the live term
    const term = this;
    return {
      epoch: this.epoch,
      get maintenance() {
        return term.maintenance;
      },
      get batch() {
        return term.deps.config.scheduler.batch;
      },
      get state() {
        return term.state;
      },
      get store() {
        return term.deps.store;
      },
      why: this.why,
      writer: this.writer,
      arrays: this.arrays,
      counters: this.counters,
      never: this.never,
      projectLimits: (project) => this.accounts.projects.get(project)?.limits ?? null,
      prepare: async (now) => {
        await this.refreshHosts(now);
        await this.arrays.recheckParked(now);
        await this.quotas.enforce(now);
      },
      get defaultExecutor() {
        return term.deps.config.executor;
      },
      delegatedPlacers: () => {
        const placers = new Map<string, Placer>();
        for (const [name, known] of this.capacity) {
          const free = known === null ? null : roomOf(known, [...this.placedOn(name)]);
          placers.set(name, createDelegatedPlacer(name, free, known?.declared ?? null));
        }
        return placers;
      },
      reject: (id, reason) => this.end(id, 'pending', 'rejected', reason),
      dispatch: (messages) => this.deps.dispatch(messages),
      now: () => this.deps.now(),
    };
  }

  /** Re-reads the live hosts at most once a second (agents that stop heartbeating drop out). */
  private async refreshHosts(now: number): Promise<void> {
    if (now - this.hostsAt < 1_000) return;
    this.hostsAt = now;
    this.state.cluster.updateHosts(await this.deps.hosts());
    const live = (await this.deps.executorCapacity?.()) ?? new Map<string, DelegatedCapacity>();
    for (const name of this.capacity.keys()) if (!live.has(name)) this.capacity.set(name, null);
    for (const [name, known] of live) this.capacity.set(name, known);
  }

  /** The jobs placed on executor `name` (by their own executor or the default one). */
  private *placedOn(name: string): Iterable<PlacedShare> {
    const fallback = this.deps.config.executor;
    for (const { job, since } of this.state.placed.values())
      if ((job.executor ?? fallback) === name)
        yield { cpu: job.cpu, ram: job.ram, gpus: job.gpus, since };
  }

  private async loop(): Promise<void> {
    const interval = this.deps.config.scheduler.interval_ms;
    while (!this.signal.aborted) {
      if (this.reloadWith !== null) {
        const next = this.reloadWith;
        this.reloadWith = null;
        await this.exclusive(async () => {
          this.deps = next;
          await this.rebuild();
        });
      }
      // A pass on every tick even when nothing is queued: it also refreshes hosts and
      // enforces quotas on running jobs; an empty queue makes it nearly free.
      // The consumer hands events over one at a time, each after the previous handler: yield
      // once so that the events already read (a batch of up to 100) go before this pass, not
      // one event per pass.
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.dirty = false;
      this.lastPass = await this.exclusive(() => runPass(this.pass));
      this.passes += 1;
      // Metrics only: a lost count changes no decision and the next pass records again.
      if (this.lastPass.considered > 0)
        void this.deps.recordPass?.(this.lastPass).catch(() => undefined);
      if (this.lastPass.placed >= this.deps.config.scheduler.batch) this.dirty = true;
      if (this.dirty) continue;
      await this.idle(interval);
    }
  }

  /** Waits for a poke, the abort or `interval` ms, whichever comes first. */
  private idle(interval: number): Promise<void> {
    return new Promise<void>((resolve) => {
      // One listener per wait, removed when the wait ends (ticks must not pile them up).
      const done = (): void => {
        clearTimeout(t);
        this.signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const t = setTimeout(done, interval);
      this.wake = done;
      this.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Loads hosts, placed jobs, arrays, pending jobs, usage and priorities from the store. */
  private async rebuild(): Promise<void> {
    const { store, config, logger } = this.deps;
    const t0 = this.deps.now();
    const cluster = createCluster(await this.deps.hosts(), {
      defaultMaxLifespan: config.scheduler.default_maxlifespan,
    });
    this.state = new LeaderState(this.deps.makePolicy(), cluster);
    await this.loadSettings();
    await this.loadUsage();
    const parents: Job[] = [];
    const undelivered: DispatchMessage[] = [];
    for await (const job of pages(store, ['scheduled', 'running', 'suspended'])) {
      if (this.signal.aborted) return;
      if (isArrayJob(job)) {
        parents.push(job);
        continue;
      }
      if (job.placement !== null) {
        // A job its executor placed holds nothing of god's hosts: only its capacity (state).
        if (job.placement.shard !== DELEGATED_SHARD)
          cluster.restore(placementRequestOf(job), job.placement, job.status.dates.scheduled ?? t0);
        if (job.state === 'scheduled') undelivered.push(redispatchOf(job, job.placement));
      }
      this.state.place(schedJobOf(job), job.status.dates.scheduled ?? t0);
    }
    // A leader that died between its commit and its dispatch left these jobs `scheduled` with
    // no message. Sending them again is safe: same queue-job id (BullMQ drops a duplicate), and
    // the agent drops a message whose job has moved on or whose epoch/attempt differ.
    if (undelivered.length > 0) await this.deps.dispatch(undelivered);
    // Admitted page by page: keeping every pending document until the end would hold them all
    // (gigabytes at a million jobs) where the leader only needs their compact form.
    for await (const job of pages(store, ['pending', 'held'])) {
      if (this.signal.aborted) return; // the term ended meanwhile: its state is of no use
      if (isArrayJob(job)) parents.push(job);
      else await this.intake.admit(job);
    }
    for (const parent of parents) await this.loadArray(parent);
    await this.counters.rebuild();
    logger.info(
      {
        epoch: this.epoch,
        pending: this.state.pending.size,
        placed: this.state.placed.size,
        ms: this.deps.now() - t0,
      },
      'leader state rebuilt',
    );
  }

  /** Run-time settings: the maintenance flag and the users' and projects' priorities. */
  private async loadSettings(): Promise<void> {
    const before = this.maintenance;
    this.operatorMaintenance = await this.deps.maintenanceFlag();
    if (this.maintenance !== before)
      this.deps.logger.info(
        { maintenance: this.maintenance },
        this.maintenance ? 'scheduling paused' : 'scheduling resumed',
      );
    await this.accounts.load(this.deps.store, this.state.policy);
  }

  private async loadUsage(): Promise<void> {
    // Charge the policy with the last 60 days of the ledger, a day at a time: older usage has
    // decayed to nothing under any sensible half-life.
    // A policy that ignores usage (FIFO) needs no ledger: skip reading it.
    const policy = this.state.usage;
    if (policy === null) return;
    const since = this.deps.now() - USAGE_HORIZON_DAYS * 86_400_000;
    for (const d of await this.deps.store.usageByDay({ since })) {
      policy.charge(d.user, d.project, { ...d, maxRamBytes: 0 }, bookedAt(d.day));
    }
  }

  private async loadArray(parent: Job): Promise<void> {
    const p = await this.arrays.load(parent);
    if (parent.state === 'pending' || parent.state === 'held') await this.intake.admit(parent);
    else await this.arrays.topUp(p);
  }

  /** Ends a job the scheduler owns a decision on (rejected, quota, killed array). */
  private async end(
    id: number,
    from: 'pending' | 'held' | 'running',
    outcome: JobOutcome,
    reason: string,
  ): Promise<boolean> {
    const r = await this.writer.transition(id, from, 'over', { outcome, reason });
    const known = this.state.forget(id);
    if (r && known !== undefined && from !== 'running') this.counters.leftPending(known);
    const array = this.arrays.progress.get(id);
    if (r && array !== undefined && isComplete(array)) this.arrays.progress.delete(id);
    if (r) {
      this.state.finish(
        id,
        outcome,
        known === undefined ? undefined : { id: known.user, project: known.project },
      );
      await this.deps.publish(EVENTS.ended, { jobId: id, outcome });
    }
    return r;
  }
}

/** The dispatch message of a job already committed as `scheduled` (by this or an earlier term). */
function redispatchOf(job: Job, placement: NonNullable<Job['placement']>): DispatchMessage {
  return {
    jobId: job.id,
    attempt: job.attempts,
    epoch: job.epoch,
    host: placement.host,
    shard: placement.shard,
  };
}
