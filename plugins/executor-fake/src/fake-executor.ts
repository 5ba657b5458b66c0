/**
 * The fake executor: jobs "run" as entries on one timer queue and end with the exit code their
 * plan says. Fast and deterministic, for scheduler tests and benchmarks; it also records
 * diagnostics (starts per job, refused double starts, peaks) for tests to assert on.
 *
 * Clock: timestamps come from `ctx.now()`, which must advance with the host timers (Date.now,
 * or vitest fake timers, which fake Date too). A natural end is reported at its planned time
 * (`startedAt + run time + suspended time`) or later, never earlier.
 */
import type {
  ExecutorCapacity,
  ExitListener,
  ExitReport,
  HostInfo,
  Job,
  LiveUsage,
  PluginContext,
  StartResult,
  SuspendableExecutor,
  UsageSamplingExecutor,
} from '@god/core';
import { buildHosts, delegatedHost, type FakeExecutorConfig } from './config.js';
import { planRun } from './run-plan.js';
import { exitReport, type Run } from './run.js';
import { createTimerQueue, type TimerQueue } from './timer-queue.js';

/** The fake executor with its test diagnostics. */
export interface FakeExecutor extends SuspendableExecutor, UsageSamplingExecutor {
  /** How many times `jobId` was started successfully. */
  startCount(jobId: number): number;
  /** Ids whose start was refused because they were already running, once per refusal. */
  doubleStarts(): number[];
  /** The most `start()` calls that were in progress at once (above 1 only with start latency). */
  readonly maxConcurrentStarts: number;
  /** The most jobs that were running (or suspended) at once. */
  readonly maxRunning: number;
  /** Ids of the jobs running or suspended now, starting ones included. */
  runningJobs(): number[];
  /**
   * Delegating: the capacity free now, the declared one less its runs and the foreign load
   * (reported with every heartbeat, as an orchestrator would).
   */
  capacity(): Promise<ExecutorCapacity>;
  /** Delegating: work the stand-in orchestrator runs besides god's jobs (RAM in bytes). */
  setForeignLoad(load: Pick<ExecutorCapacity, 'cpu' | 'ram' | 'gpus'>): void;
}

const CLOSED: StartResult = { ok: false, retryable: true, reason: 'executor closed' };

/** A fake executor on `config`'s hosts; see the module comment for its clock. */
export function createFakeExecutor(config: FakeExecutorConfig, ctx: PluginContext): FakeExecutor {
  return new FakeExecutorImpl(config, ctx);
}

class FakeExecutorImpl implements FakeExecutor {
  readonly name = 'fake';
  readonly placesJobs: boolean;
  private readonly hostList: HostInfo[];
  private readonly hostNames: Set<string>;
  private readonly runs = new Map<number, Run>();
  private readonly starts = new Map<number, number>();
  private readonly doubles: number[] = [];
  private readonly listeners = new Set<ExitListener>();
  private readonly queue: TimerQueue;
  private closed = false;
  private startsInFlight = 0;
  private peakStarts = 0;
  private peakRunning = 0;
  private foreign = { cpu: 0, ram: 0, gpus: 0 };

  constructor(
    private readonly config: FakeExecutorConfig,
    private readonly ctx: PluginContext,
  ) {
    // Delegating, it stands for an orchestrator: one entry for itself instead of hosts.
    this.placesJobs = config.delegated === null;
    this.hostList =
      config.delegated === null
        ? buildHosts(config.hosts)
        : [delegatedHost(this.name, config.delegated)];
    this.hostNames = new Set(this.hostList.map((h) => h.name));
    this.queue = createTimerQueue(
      () => ctx.now(),
      (err) => ctx.logger.error({ err }, 'fake executor timer failed'),
    );
    ctx.logger.info({ hosts: this.hostList.length }, 'fake executor ready');
  }

  hosts(): Promise<HostInfo[]> {
    return Promise.resolve(this.hostList.map((h) => structuredClone(h)));
  }

  async start(job: Job): Promise<StartResult> {
    if (this.closed) return CLOSED;
    if (this.runs.has(job.id)) {
      this.doubles.push(job.id);
      return { ok: false, retryable: false, reason: 'already running' };
    }
    const host = job.placement?.host;
    if (host !== undefined && !this.hostNames.has(host))
      return { ok: false, retryable: true, reason: `unknown host ${host}` };
    const plan = planRun(job, this.config);
    if (!plan.ok) return plan;
    const { cpu, ram, gpus } = job.requirements;
    const run: Run = {
      jobId: job.id,
      cpu,
      ram,
      gpus,
      exitcode: plan.exitcode,
      runtimeMs: plan.runtimeMs,
      phase: 'starting',
      startedAt: 0,
      due: 0,
      timer: null,
      suspendedAt: null,
      suspendedMs: 0,
      killReason: null,
      wake: null,
    };
    this.runs.set(job.id, run);
    this.peakRunning = Math.max(this.peakRunning, this.runs.size);
    this.peakStarts = Math.max(this.peakStarts, ++this.startsInFlight);
    try {
      if (this.config.start_latency_ms > 0) await this.latency(run);
    } finally {
      this.startsInFlight--;
    }
    if (this.closed) return CLOSED;
    return this.begin(run);
  }

  kill(jobId: number, reason: string): Promise<void> {
    const run = this.closed ? undefined : this.runs.get(jobId);
    if (run === undefined) return Promise.resolve();
    if (run.phase === 'starting' || run.killReason !== null) {
      // Reported once the start has resolved (see begin).
      run.killReason ??= reason;
      return Promise.resolve();
    }
    this.finish(run, 'killed', reason, this.ctx.now());
    return Promise.resolve();
  }

  suspend(jobId: number): Promise<void> {
    const run = this.closed ? undefined : this.runs.get(jobId);
    // Only a running job with its end pending: not starting, suspended, or killed while starting.
    if (run?.phase === 'running' && run.suspendedAt === null && run.killReason === null) {
      const now = this.ctx.now();
      run.timer?.cancel();
      run.timer = null;
      run.runtimeMs = Math.max(0, run.due - now);
      run.suspendedAt = now;
    }
    return Promise.resolve();
  }

  resume(jobId: number): Promise<void> {
    const run = this.closed ? undefined : this.runs.get(jobId);
    if (run !== undefined && run.suspendedAt !== null) {
      const now = this.ctx.now();
      run.suspendedMs += now - run.suspendedAt;
      run.suspendedAt = null;
      this.schedule(run, now + run.runtimeMs);
    }
    return Promise.resolve();
  }

  onExit(listener: ExitListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): Promise<void> {
    // Like a dead process: running jobs are dropped without reports; pending starts fail.
    this.closed = true;
    this.queue.clear();
    for (const run of this.runs.values()) run.wake?.();
    this.runs.clear();
    return Promise.resolve();
  }

  usageNow(jobId: number): Promise<LiveUsage | null> {
    const run = this.closed ? undefined : this.runs.get(jobId);
    if (run?.phase !== 'running') return Promise.resolve(null);
    // Deterministic: the requested cores busy all the time it ran (not suspended), its RAM used.
    const now = this.ctx.now();
    const paused = run.suspendedMs + (run.suspendedAt === null ? 0 : now - run.suspendedAt);
    const seconds = Math.max(0, now - run.startedAt - paused) / 1000;
    return Promise.resolve({
      cpuSeconds: run.cpu * seconds,
      memBytes: run.ram,
      peakMemBytes: run.ram,
    });
  }

  startCount(jobId: number): number {
    return this.starts.get(jobId) ?? 0;
  }

  doubleStarts(): number[] {
    return [...this.doubles];
  }

  get maxConcurrentStarts(): number {
    return this.peakStarts;
  }

  get maxRunning(): number {
    return this.peakRunning;
  }

  runningJobs(): number[] {
    return [...this.runs.keys()];
  }

  capacity(): Promise<ExecutorCapacity> {
    const declared = this.config.delegated;
    if (declared === null) return Promise.resolve({ cpu: 0, ram: 0, gpus: 0, jobs: 0 });
    const free = {
      cpu: declared.cores - this.foreign.cpu,
      ram: declared.ram_gb * 2 ** 30 - this.foreign.ram,
      gpus: declared.gpus - this.foreign.gpus,
      jobs: Number.MAX_SAFE_INTEGER,
    };
    for (const run of this.runs.values()) {
      free.cpu -= run.cpu;
      free.ram -= run.ram;
      free.gpus -= run.gpus;
    }
    return Promise.resolve(free);
  }

  setForeignLoad(load: Pick<ExecutorCapacity, 'cpu' | 'ram' | 'gpus'>): void {
    this.foreign = { cpu: load.cpu, ram: load.ram, gpus: load.gpus };
  }

  /** Waits out the start latency on the queue; resolves early when the executor closes. */
  private latency(run: Run): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.queue.at(this.ctx.now() + this.config.start_latency_ms, () => {
        run.wake = null;
        resolve();
      });
      run.wake = () => {
        handle.cancel();
        run.wake = null;
        resolve();
      };
    });
  }

  private begin(run: Run): StartResult {
    const startedAt = this.ctx.now();
    run.phase = 'running';
    run.startedAt = startedAt;
    this.starts.set(run.jobId, this.startCount(run.jobId) + 1);
    const killReason = run.killReason;
    if (killReason === null) {
      this.schedule(run, startedAt + run.runtimeMs);
    } else {
      // Killed while starting: the start still succeeds, and the kill is reported on the next
      // tick, after the caller has seen the start's result.
      run.timer = this.queue.at(startedAt, () =>
        this.finish(run, 'killed', killReason, this.ctx.now()),
      );
    }
    return { ok: true, startedAt };
  }

  private schedule(run: Run, due: number): void {
    run.due = due;
    run.timer = this.queue.at(due, () => {
      run.timer = null;
      const outcome = run.exitcode === 0 ? 'success' : 'failed';
      // Never before the planned end, even if the clock lags the host timer a little.
      const at = Math.max(this.ctx.now(), run.due);
      this.finish(run, outcome, `exit code ${run.exitcode}`, at);
    });
  }

  private finish(run: Run, outcome: ExitReport['outcome'], reason: string, at: number): void {
    this.runs.delete(run.jobId);
    run.timer?.cancel();
    run.timer = null;
    if (run.suspendedAt !== null) run.suspendedMs += at - run.suspendedAt;
    run.suspendedAt = null;
    const report = exitReport(run, outcome, reason, at);
    for (const listener of [...this.listeners]) {
      const failed = (err: unknown): void =>
        this.ctx.logger.error({ err, jobId: run.jobId }, 'exit listener failed');
      try {
        // The fake keeps nothing to clean up: a listener's promise is only watched for failure.
        void Promise.resolve(listener(report)).catch(failed);
      } catch (err) {
        failed(err);
      }
    }
  }
}
