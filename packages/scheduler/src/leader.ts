/**
 * One term of leadership: rebuild the in-memory state from the store, then keep it current from
 * the event stream and run scheduling passes on events and on a tick, until the term ends.
 * Every scheduling write carries the term's fencing epoch; a refused write ends the term.
 */
import {
  EVENTS,
  isAdministrator,
  mayViewJob,
  sameLogin,
  type Config,
  type ControlMessage,
  type DispatchMessage,
  type HostInfo,
  type Job,
  type JobOutcome,
  type PendingWhy,
  type SchedulingPolicy,
  type TransitionPatch,
} from '@god/core';
import type { Store, User } from '@god/store';
import { checkDependencies, quotaExceeded, usageOf, type DepView } from './admission.js';
import {
  isComplete,
  mayPlaceTask,
  newProgress,
  nextTasks,
  progressFrom,
  arrayOutcome,
  tasksWanted,
  unmadeTasks,
  type ArrayProgress,
} from './arrays.js';
import { createFencedWriter, type FencedWriter } from './fenced-writer.js';
import { LeaderState, type PlacedJob } from './leader-state.js';
import { runPass, type PassStats } from './pass.js';
import { PendingTally, pendingByUser } from './pending-tally.js';
import { ParkedArrays } from './parked-arrays.js';
import { createCluster, placementRequestOf } from './placement/index.js';
import { isArrayJob, schedJobOf, type SchedJob } from './sched-job.js';

/** A pino-compatible logger. */
export interface Logger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** What a leader term needs from the outside world (wired in scheduler.ts). */
export interface LeaderDeps {
  store: Store;
  config: Config;
  policy: SchedulingPolicy;
  /** Hosts with a fresh heartbeat. */
  hosts(): Promise<HostInfo[]>;
  /** The newest event id, read before the snapshot. */
  lastEventId(): Promise<string>;
  /** Consumes events after `from` until `signal` aborts. */
  consume(
    from: string,
    handler: (type: string, jobId: number | undefined) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void>;
  dispatch(messages: readonly DispatchMessage[]): Promise<void>;
  control(host: string, msg: ControlMessage): Promise<void>;
  publish(type: string, data: Record<string, string | number | null>): Promise<void>;
  /** Replaces the rate-limit counters with pending-task counts (overall and per user). */
  rebuildCounters(pendingByUser: ReadonlyMap<string, number>): Promise<void>;
  /** Adds signed per-user changes of pending tasks to the counters (per user, and overall). */
  adjustCounters(deltaByUser: ReadonlyMap<string, number>): Promise<void>;
  /**
   * Whether an operator paused (true) or resumed (false) scheduling at run time (`god
   * maintenance on|off`, kept in Redis); null when no operator said, and the config decides.
   */
  maintenanceFlag(): Promise<boolean | null>;
  /** Counts a pass's decisions where metrics read them (best effort: never fails a pass). */
  recordPass?(stats: PassStats): Promise<void>;
  logger: Logger;
  now(): number;
}

const PAGE = 5_000;

/** The leader of one term (epoch). */
export class Leader {
  state!: LeaderState;
  readonly arrays = new Map<number, ArrayProgress>();
  readonly why = new Map<number, PendingWhy>();
  /** Every state write of this term, fenced with its epoch. */
  readonly writer: FencedWriter;
  /** Scheduling paused: as an operator last said at run time, else as the config file says. */
  get maintenance(): boolean {
    return this.operatorMaintenance ?? this.deps.config.scheduler.maintenance;
  }
  private operatorMaintenance: boolean | null = null;
  private wake: (() => void) | null = null;
  /** Events, passes and rebuilds run one at a time, in order, on this chain. */
  private chain: Promise<unknown> = Promise.resolve();
  private reloadWith: LeaderDeps | null = null;
  private dirty = true;
  lastPass: PassStats | null = null;
  /** Passes run this term (tests wait on it rather than on the clock). */
  passes = 0;

  constructor(
    public deps: LeaderDeps,
    readonly epoch: number,
    readonly signal: AbortSignal,
  ) {
    this.writer = createFencedWriter(deps.store, 'scheduler', epoch);
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
      (type, jobId) => this.exclusive(() => this.onEvent(type, jobId)),
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
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Takes new settings: the state is rebuilt from the store with the new policy before the next pass. */
  reload(deps: LeaderDeps): void {
    this.reloadWith = deps;
    this.deps = deps;
    this.poke();
  }

  private readonly neverSince = new Map<number, number>();
  private rejections: Array<[number, string]> = [];
  private hostsAt = 0;

  /**
   * True once a job has fit no registered host for `host_timeout_ms`: a host that is only
   * briefly away (agent restarting) must not get jobs rejected.
   */
  neverFits(id: number, now: number): boolean {
    const since = this.neverSince.get(id);
    if (since === undefined) this.neverSince.set(id, now);
    return since !== undefined && now - since >= this.deps.config.scheduler.host_timeout_ms;
  }

  /**
   * Queues a rejection to commit after the pass's placements. A task that fits no host rejects
   * its array too: no more of its tasks are made, and it ends once its live tasks have.
   */
  rejectLater(id: number, reason: string): void {
    this.neverSince.delete(id);
    this.rejections.push([id, reason]);
    const parent = this.state.pending.get(id)?.parent ?? null;
    const p = parent === null ? undefined : this.arrays.get(parent);
    if (p !== undefined && !p.stopped) {
      p.rejected = reason;
      this.stopArray(p);
    }
  }

  /** Arrays whose tasks are not made while no current host could run one. */
  readonly parked = new ParkedArrays();

  /** Forgets since when a job fits no host (it fits again, or was decided). */
  clearNever(id: number): void {
    this.neverSince.delete(id);
  }

  /** The rejections queued during the pass. */
  takeRejections(): Array<[number, string]> {
    const r = this.rejections;
    this.rejections = [];
    return r;
  }

  private quotaAt = 0;
  private readonly quotaKilled = new Set<number>();

  /**
   * With `quotas.kill_on_limit`, at most every 2 s: kills the placed jobs of each user and
   * project whose quota (ledger in the window plus what placed jobs accrued) is reached.
   */
  async enforceQuotas(now: number): Promise<void> {
    if (!this.deps.config.quotas.kill_on_limit || now - this.quotaAt < 2_000) return;
    this.quotaAt = now;
    const zero = usageOf({ cpu: 0, ram: 0, gpus: 0 }, 0);
    const groups = new Map<string, QuotaGroup>();
    for (const p of this.state.placed.values()) {
      const user = this.users.get(p.job.user)?.quota ?? null;
      const project = this.projects.get(p.job.project)?.quota ?? null;
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
    for (const g of groups.values()) {
      const reason = quotaExceeded(
        g.who,
        g.quota,
        await this.usedInWindow(g.key, g.quota.windowSeconds),
        zero,
      );
      if (reason === null) continue;
      for (const p of g.jobs) {
        const placement = this.state.cluster.placementOf(p.job.id);
        if (placement === null || this.quotaKilled.has(p.job.id)) continue;
        this.quotaKilled.add(p.job.id);
        await this.deps.control(placement.host, {
          jobId: p.job.id,
          action: 'kill',
          reason,
          outcome: 'quota',
        });
      }
    }
  }

  /** Re-reads the live hosts at most once a second (agents that stop heartbeating drop out). */
  async refreshHosts(now: number): Promise<void> {
    if (now - this.hostsAt < 1_000) return;
    this.hostsAt = now;
    this.state.cluster.updateHosts(await this.deps.hosts());
  }

  /** Wakes the pass loop soon (an event changed something). */
  poke(): void {
    this.dirty = true;
    this.wake?.();
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
      this.lastPass = await this.exclusive(() => runPass(this));
      this.passes += 1;
      if (this.lastPass.considered > 0)
        void this.deps.recordPass?.(this.lastPass).catch(() => undefined);
      if (this.lastPass.placed >= this.deps.config.scheduler.batch) this.dirty = true;
      if (this.dirty) continue;
      await new Promise<void>((resolve) => {
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
  }

  /** Loads hosts, placed jobs, arrays, pending jobs, usage and priorities from the store. */
  private async rebuild(): Promise<void> {
    const { store, config, policy, logger } = this.deps;
    const t0 = this.deps.now();
    const cluster = createCluster(await this.deps.hosts(), {
      defaultMaxLifespan: config.scheduler.default_maxlifespan,
    });
    this.state = new LeaderState(policy, cluster);
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
      else await this.intake(job);
    }
    for (const parent of parents) await this.loadArray(parent);
    await this.rebuildCounters();
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
    await this.loadPriorities();
  }

  private async loadPriorities(): Promise<void> {
    const [users, projects] = await Promise.all([
      this.deps.store.listUsers(),
      this.deps.store.listProjects(),
    ]);
    this.users = new Map(users.map((u) => [u.id, u]));
    this.projects = new Map(projects.map((p) => [p.id, p]));
    this.deps.policy.setPriorities({
      users: new Map(users.map((u) => [u.id, u.priority])),
      projects: new Map(projects.map((p) => [p.id, p.priority])),
    });
  }

  users = new Map<string, Awaited<ReturnType<Store['getUser']>> & object>();
  projects = new Map<string, Awaited<ReturnType<Store['getProject']>> & object>();

  private async loadUsage(): Promise<void> {
    // Charge the policy with the last 60 days of the ledger, a day at a time: older usage has
    // decayed to nothing under any sensible half-life.
    const since = this.deps.now() - 60 * 86_400_000;
    for (const d of await this.deps.store.usageByDay({ since })) {
      this.deps.policy.charge(
        d.user,
        d.project,
        { ...d, maxRamBytes: 0 },
        Date.parse(`${d.day}T12:00:00Z`),
      );
    }
  }

  private async loadArray(parent: Job): Promise<void> {
    const tasks: Job[] = [];
    for await (const t of pages(this.deps.store, undefined, parent.id)) tasks.push(t);
    const p = progressFrom(parent, tasks);
    this.arrays.set(parent.id, p);
    if (parent.state === 'pending' || parent.state === 'held') await this.intake(parent);
    else await this.topUpArray(p);
  }

  private countersAt = 0;
  private readonly tally = new PendingTally();

  /** Pending-task counts from memory (the rule of `pendingByUser`), written over the counters. */
  async rebuildCounters(): Promise<void> {
    this.countersAt = this.deps.now();
    this.tally.clear();
    await this.deps.rebuildCounters(pendingByUser(this.state.pending.values(), this.arrays));
  }

  /**
   * Notes that a job left the pending set (placed, or ended unstarted): one task, or for an
   * array parent that ended its unmade tasks (its made ones leave one by one).
   */
  leftPending(job: Pick<SchedJob, 'id' | 'user'>): void {
    const p = this.arrays.get(job.id);
    if (p === undefined) this.tally.add(job.user, -1);
    else this.stopArray(p);
  }

  /** Stops making tasks of an array and gives its unmade tasks back to the counters (once). */
  stopArray(p: ArrayProgress): void {
    this.tally.add(p.parent.user.id, -unmadeTasks(p));
    p.stopped = true;
  }

  /** Applies the noted changes; every 30 s rewrites the counters whole (drift repair). */
  async syncCounters(now: number): Promise<void> {
    if (now - this.countersAt >= 30_000) return this.rebuildCounters();
    const delta = this.tally.take();
    if (delta.size > 0) await this.deps.adjustCounters(delta);
  }

  /**
   * Admits a pending or held job: held and dependency-blocked jobs wait aside, a dependency that
   * can never be met or a quota reached ends the job, anything else joins the policy's queue.
   */
  async intake(job: Job): Promise<void> {
    if (job.state !== 'pending' && job.state !== 'held') return;
    const sj = schedJobOf(job);
    // Known from the start, held or waiting too: the counters weigh an array by its progress.
    const array = isArrayJob(job) ? this.progressOf(job) : undefined;
    if (job.state === 'held') {
      this.state.block(sj);
      return;
    }
    const deps = await this.checkDeps(sj);
    if (deps.kind === 'never')
      return void (await this.end(job.id, 'pending', 'rejected', deps.reason));
    if (deps.kind === 'wait') {
      this.state.block(sj, deps.on);
      this.setWhy(sj, {
        code: 'DEPENDENCY',
        message: `waiting for job${deps.on.length > 1 ? 's' : ''} ${deps.on.join(', ')} to end`,
      });
      return;
    }
    const quota = await this.checkQuota(sj);
    if (quota !== null) return void (await this.end(job.id, 'pending', 'quota', quota));
    if (array !== undefined) {
      // The array itself never queues: its tasks do, a window at a time.
      this.state.pending.set(sj.id, sj);
      this.state.blocked.add(sj.id);
      await this.topUpArray(array);
      return;
    }
    this.state.enqueue(sj);
    this.poke();
  }

  /** The progress of an array parent (new if none), holding the parent's latest record. */
  private progressOf(parent: Job): ArrayProgress {
    const p = this.arrays.get(parent.id) ?? newProgress(parent);
    p.parent = parent;
    this.arrays.set(parent.id, p);
    return p;
  }

  /**
   * The verdict on a job's dependencies. A dependency on a job its owner may not see (today:
   * memberships change) is treated exactly as one on a job that does not exist.
   */
  private async checkDeps(job: SchedJob): Promise<ReturnType<typeof checkDependencies>> {
    if (job.deps.length === 0) return { kind: 'met' };
    const { auth } = this.deps.config;
    const viewer = {
      id: job.user,
      admin: isAdministrator(auth.admins, job.user, this.users.get(job.user)),
    };
    const isMember = (user: string, project: string): boolean =>
      this.projects.get(project)?.members.some((m) => sameLogin(m, user)) === true;
    const views = new Map<number, DepView | null>();
    for (const d of job.deps) {
      let view = this.state.finished.get(d.id) ?? null;
      if (view === null) {
        const j = await this.deps.store.getJob(d.id);
        view =
          j === null
            ? null
            : {
                state: j.state,
                outcome: j.outcome,
                user: { id: j.user.id, project: j.user.project },
              };
      }
      const visible = view !== null && mayViewJob(viewer, view, auth.share_project_tasks, isMember);
      views.set(d.id, visible ? view : null);
    }
    return checkDependencies(job.deps, (id) => views.get(id) ?? null);
  }

  private readonly usageCache = new Map<
    string,
    { at: number; totals: Awaited<ReturnType<Store['usageTotals']>> }
  >();

  /** A reason if the job's user or project quota refuses it. */
  async checkQuota(job: SchedJob): Promise<string | null> {
    const user = this.users.get(job.user);
    const project = this.projects.get(job.project);
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
  ): Promise<Awaited<ReturnType<Store['usageTotals']>>> {
    const now = this.deps.now();
    const id = `${key.user ?? ''}|${key.project ?? ''}|${windowSeconds}`;
    let cached = this.usageCache.get(id);
    if (cached === undefined || now - cached.at > 5_000) {
      cached = {
        at: now,
        totals: await this.deps.store.usageTotals({ ...key, since: now - windowSeconds * 1000 }),
      };
      this.usageCache.set(id, cached);
    }
    const totals = { ...cached.totals };
    for (const p of this.state.placed.values()) {
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

  /** Records a why-pending change, written to the store after the pass. */
  setWhy(job: SchedJob, why: PendingWhy): void {
    if (job.whyCode === why.code && why.code !== 'DEPENDENCY') return;
    job.whyCode = why.code;
    this.why.set(job.id, why);
  }

  /** Ends a job the scheduler owns a decision on (rejected, quota, killed array). */
  async end(
    id: number,
    from: 'pending' | 'held' | 'running',
    outcome: JobOutcome,
    reason: string,
  ): Promise<boolean> {
    const r = await this.transition(id, from, 'over', { outcome, reason });
    const known = this.state.forget(id);
    if (r && known !== undefined && from !== 'running') this.leftPending(known);
    const array = this.arrays.get(id);
    if (r && array !== undefined && isComplete(array)) this.arrays.delete(id);
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

  /** A fenced transition; a refusal by the fence ends the term at once. */
  transition(
    id: number,
    from: Job['state'],
    to: Job['state'],
    patch: TransitionPatch,
  ): Promise<boolean> {
    return this.writer.transition(id, from, to, patch);
  }

  /**
   * Materialises more tasks of an array when its window has room and some host fits its tasks
   * (else parks it: see `ParkedArrays`); ends it when complete.
   */
  async topUpArray(p: ArrayProgress): Promise<void> {
    const window = this.deps.config.scheduler.array_window;
    if (tasksWanted(p, window) > 0 && this.parked.park(this, p)) return;
    const tasks = nextTasks(p, window);
    if (tasks.length > 0) {
      const inserted = await this.deps.store.insertJobs(tasks);
      p.nextIndex += inserted.length;
      p.live += inserted.length;
      for (const t of inserted) this.state.enqueue(schedJobOf(t));
      this.poke();
    }
    if (isComplete(p)) {
      const current = await this.deps.store.getJob(p.parent.id);
      if (current !== null && current.state !== 'over' && current.state !== 'archived') {
        const started = current.state === 'running';
        // Still `progress` while it ends, so that its unmade tasks leave the counters.
        await this.end(
          p.parent.id,
          started ? 'running' : current.state === 'held' ? 'held' : 'pending',
          started || p.rejected !== null ? arrayOutcome(p) : 'killed',
          p.rejected ?? `${p.ended} tasks ended, ${p.failed} not successfully`,
        );
      }
      this.arrays.delete(p.parent.id);
    }
  }

  /** True if an array task may be placed now (`%limit`). */
  mayPlace(job: SchedJob): boolean {
    if (job.parent === null) return true;
    const p = this.arrays.get(job.parent);
    return p === undefined || mayPlaceTask(p);
  }

  /**
   * Counts a task against its array's `%limit` as soon as a pass chooses it (so the limit also
   * holds between the candidates of one pass); `by = -1` gives it back if the commit failed.
   */
  countTask(job: SchedJob, by: 1 | -1): void {
    const p = job.parent === null ? undefined : this.arrays.get(job.parent);
    if (p !== undefined) p.placed = Math.max(0, p.placed + by);
  }

  /** After a task's placement: start the array job on its first task. */
  async taskPlaced(job: SchedJob): Promise<void> {
    if (job.parent === null) return;
    const p = this.arrays.get(job.parent);
    if (p === undefined) return;
    if (p.parent.state === 'pending') {
      if (
        await this.transition(p.parent.id, 'pending', 'running', {
          arrayParent: true,
          reason: 'first task placed',
        })
      ) {
        p.parent = { ...p.parent, state: 'running' };
        // Its tasks not started stay on the counters: they are still pending.
        this.state.forget(p.parent.id);
      }
    }
  }

  private async onEvent(type: string, jobId: number | undefined): Promise<void> {
    if (type === EVENTS.hosts) {
      this.state.cluster.updateHosts(await this.deps.hosts());
      return this.poke();
    }
    if (type === EVENTS.settings) {
      await this.loadSettings();
      return this.poke();
    }
    if (jobId === undefined) return;
    const job = await this.deps.store.getJob(jobId);
    if (job === null) return;
    if (type === EVENTS.ended || job.state === 'over' || job.state === 'archived')
      return this.onEnded(job);
    if (type === EVENTS.submitted || type === EVENTS.changed) return this.onChanged(job);
  }

  private async onChanged(job: Job): Promise<void> {
    const known = this.state.pending.get(job.id);
    if (job.state === 'pending' || job.state === 'held') {
      if (known !== undefined) this.state.forget(job.id);
      // A rescheduled job gives its resources back and is a pending task again.
      if (this.state.release(job.id) !== undefined && known === undefined)
        this.tally.add(job.user.id, 1);
      return this.intake(job);
    }
    if (known !== undefined && !this.state.placed.has(job.id)) {
      this.state.forget(job.id);
      this.leftPending(known);
    }
  }

  private async onEnded(job: Job): Promise<void> {
    const known = this.state.forget(job.id);
    if (known !== undefined) this.leftPending(known);
    this.quotaKilled.delete(job.id);
    const placed = this.state.release(job.id);
    if (placed !== undefined) {
      const usage =
        job.usage ??
        usageOf(
          placed.job,
          Math.max(0, ((job.status.dates.ended ?? this.deps.now()) - placed.since) / 1000),
        );
      this.state.policy.ended(placed.job, usage, this.deps.now());
    }
    for (const id of this.state.finish(job.id, job.outcome, {
      id: job.user.id,
      project: job.user.project,
    })) {
      const waiting = await this.deps.store.getJob(id);
      if (waiting !== null) {
        this.state.forget(id);
        await this.intake(waiting);
      }
    }
    await this.arrayEvent(job);
    this.poke();
  }

  private async arrayEvent(job: Job): Promise<void> {
    if (isArrayJob(job)) {
      // The array was killed from outside: stop making tasks and kill the live ones.
      const p = this.arrays.get(job.id);
      if (p === undefined) return;
      p.killed = true;
      this.stopArray(p);
      await this.killTasks(job.id);
      await this.topUpArray(p); // forgets it now if it had no live task
      return;
    }
    if (job.parent === null) return;
    const p = this.arrays.get(job.parent);
    if (p === undefined) return;
    p.live -= 1;
    p.ended += 1;
    if (job.placement !== null || job.status.dates.scheduled !== null)
      p.placed = Math.max(0, p.placed - 1);
    if (job.outcome !== 'success') p.failed += 1;
    await this.topUpArray(p);
  }

  private async killTasks(parent: number): Promise<void> {
    for await (const t of pages(
      this.deps.store,
      ['pending', 'held', 'scheduled', 'running', 'suspended'],
      parent,
    )) {
      if (t.state === 'pending' || t.state === 'held')
        await this.end(t.id, t.state, 'killed', `array ${parent} killed`);
      else if (t.placement !== null)
        await this.deps.control(t.placement.host, {
          jobId: t.id,
          action: 'kill',
          reason: `array ${parent} killed`,
        });
    }
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

/** Every job in the given states (or of an array), a page at a time. */
async function* pages(
  store: Store,
  state: Job['state'][] | undefined,
  parent?: number,
): AsyncGenerator<Job> {
  let cursor: string | null = null;
  do {
    const page = await store.listJobs(
      { ...(state && { state }), ...(parent !== undefined && { parent }) },
      { limit: PAGE, cursor },
    );
    yield* page.jobs;
    cursor = page.nextCursor;
    // The store may answer without I/O (SQLite): let timers run between pages, or a long scan
    // would starve the lease renewals and the leader would step down mid-rebuild.
    if (cursor !== null) await new Promise<void>((resolve) => setImmediate(resolve));
  } while (cursor !== null);
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
