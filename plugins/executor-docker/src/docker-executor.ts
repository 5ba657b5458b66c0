/**
 * The docker executor: runs each placed job as a container on this host's daemon (see spec.ts
 * for what the container may do), watches their ends through one event stream plus sweeps, and
 * reports each end with its cgroup usage. A container is removed only after every exit listener
 * has handled its end, so an end is never lost: if the agent dies or a completion fails, the
 * next sweep (or the next agent's `recover`) reports it again. Closing never touches containers.
 */
import Docker from 'dockerode';
import {
  GodError,
  taskDirOf,
  type ExecutorContext,
  type ExitListener,
  type ExitReport,
  type HostInfo,
  type HostModel,
  type Job,
  type LiveUsage,
  type RecoverableExecutor,
  type RecoveredRun,
  type ResolvedMount,
  type StartResult,
  type SuspendableExecutor,
  type UsageSamplingExecutor,
} from '@god/core';
import {
  isUnified,
  jobCgroup,
  layoutOf,
  readCpuSeconds,
  readMemoryBytes,
  removeJobCgroup,
  type CgroupLayout,
} from './cgroup.js';
import type { DaemonAddress, DockerExecutorConfig } from './config.js';
import { isNotFound, messageOf, startFailure, statusOf } from './docker-errors.js';
import { watchExits, type ExitWatch } from './exit-watch.js';
import { fallbackHost } from './host.js';
import { ensureImage } from './image.js';
import { dockerTime, exitReportOf, parseLabels, type RunLabels } from './report.js';
import { assertSafe } from './safety.js';
import { buildContainerSpec, containerName, LABELS } from './spec.js';
import { assertConfined, confinementOf } from './confinement.js';
import { prepareTaskDir } from './task-dir.js';

/** How often running jobs' memory is sampled (peak RSS without page cache). */
const SAMPLE_MS = 1_000;
/** How often all god containers are swept for ends (missed events, ends a listener failed). */
const SWEEP_MS = 30_000;

type StartFailure = Extract<StartResult, { ok: false }>;

/** What the executor needs besides its settings: where the daemon is and this host's name. */
export interface DockerExecutorOptions {
  settings: DockerExecutorConfig;
  daemon: DaemonAddress;
  hostName: string;
}

/** A docker executor that can also suspend and recover its runs, and measure them live. */
export type DockerExecutor = SuspendableExecutor & RecoverableExecutor & UsageSamplingExecutor;

/** A docker executor on `opts.daemon`; nothing is contacted until it is used. */
export function createDockerExecutor(
  opts: DockerExecutorOptions,
  ctx: ExecutorContext,
): DockerExecutor {
  return new DockerExecutorImpl(opts, ctx);
}

/** A running container god samples: its job, its cgroup dir and the most memory seen. */
interface Sampled {
  jobId: number;
  dir: string;
  maxRam: number;
}

class DockerExecutorImpl implements DockerExecutor {
  readonly name = 'docker';
  readonly placesJobs = true;
  private readonly docker: Docker;
  private readonly settings: DockerExecutorConfig;
  private readonly host: HostModel;
  private readonly sockets: string[];
  private readonly listeners = new Set<ExitListener>();
  /** Running containers by id, sampled every SAMPLE_MS. */
  private readonly sampled = new Map<string, Sampled>();
  /** Ended containers whose report is in progress (never two reports of one at once). */
  private readonly reporting = new Set<string>();
  /** Starts in progress by container name: their end is reported after the start returned. */
  private readonly starting = new Map<string, Promise<unknown>>();
  /** Containers god stopped, by id, with the reason. */
  private readonly kills = new Map<string, string>();
  private layoutPromise: Promise<CgroupLayout> | null = null;
  private watch: ExitWatch | null = null;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(
    opts: DockerExecutorOptions,
    private readonly ctx: ExecutorContext,
  ) {
    this.settings = opts.settings;
    this.docker = new Docker(opts.daemon);
    // The agent's topology gives the shards and their cpusets; this host's name, labels,
    // reservation and port range are the executor's own settings.
    const own = fallbackHost(opts.hostName, opts.settings);
    this.host =
      ctx.host === undefined
        ? own
        : { info: { ...own.info, shards: ctx.host.info.shards }, cpuset: ctx.host.cpuset };
    this.sockets = 'socketPath' in opts.daemon ? [opts.daemon.socketPath] : [];
  }

  private get hostName(): string {
    return this.host.info.name;
  }

  hosts(): Promise<HostInfo[]> {
    return Promise.resolve([structuredClone(this.host.info)]);
  }

  async start(job: Job): Promise<StartResult> {
    if (this.closed) return { ok: false, retryable: true, reason: 'executor closed' };
    const name = containerName(job.id, job.attempts);
    const started = this.startContainer(job, name);
    this.starting.set(name, started);
    try {
      return await started;
    } finally {
      this.starting.delete(name);
    }
  }

  async kill(jobId: number, reason: string): Promise<void> {
    const live = (await this.containersOf(jobId)).filter((c) => c.State !== 'exited');
    if (live.length === 0) {
      this.ctx.logger.info({ jobId }, 'kill of a job without a running container');
      return;
    }
    await Promise.all(
      live.map(async (c) => {
        this.kills.set(c.Id, reason);
        const container = this.docker.getContainer(c.Id);
        // A paused container would only get its SIGTERM once thawed.
        if (c.State === 'paused') await container.unpause().catch(ignoreGone);
        await container.stop({ t: this.settings.stop_grace_seconds }).catch(ignoreGone);
      }),
    );
    this.ctx.logger.info({ jobId, reason }, 'job stopped');
  }

  suspend(jobId: number): Promise<void> {
    return this.toggle(jobId, 'running', (c) => c.pause());
  }

  resume(jobId: number): Promise<void> {
    return this.toggle(jobId, 'paused', (c) => c.unpause());
  }

  onExit(listener: ExitListener): () => void {
    this.listeners.add(listener);
    this.ensureWatching();
    return () => {
      this.listeners.delete(listener);
    };
  }

  async recover(): Promise<{ running: RecoveredRun[] }> {
    this.ensureWatching();
    return { running: await this.sweep() };
  }

  close(): Promise<void> {
    this.closed = true;
    this.watch?.stop();
    this.watch = null;
    for (const t of this.timers.splice(0)) clearInterval(t);
    return Promise.resolve();
  }

  private async startContainer(job: Job, name: string): Promise<StartResult> {
    const log = this.ctx.logger;
    const placement = job.placement;
    if (placement === null) return { ok: false, retryable: false, reason: 'job is not placed' };
    try {
      const layout = await this.layout();
      this.ensureWatching();
      const mounts = await this.mountsOf(job);
      if ('ok' in mounts) return mounts;
      const taskDir = taskDirOf(this.ctx.config.shared_dir, job);
      const cgroup = jobCgroup(layout.driver, this.settings.cgroup_parent, job.id, job.attempts);
      const options = buildContainerSpec({
        job,
        placement,
        settings: this.settings,
        hostName: this.hostName,
        mounts,
        taskDir,
        cpuset: (cores) => this.host.cpuset(cores),
        cgroupParent: cgroup.parent,
      });
      assertSafe(options, this.sockets);
      assertConfined(
        options,
        confinementOf(job, placement, (c) => this.host.cpuset(c)),
      );
      const owner = job.container.root ? { uid: 0, gid: 0 } : job.user;
      await prepareTaskDir(taskDir, job.command.cmd, owner, job.user.gid);
      await ensureImage(this.docker, job.container.image, this.settings);
      const container = await this.create(options, name);
      try {
        await container.start();
      } catch (err) {
        await container.remove({ force: true }).catch(ignoreGone);
        throw err;
      }
      const info = await container.inspect();
      this.sampled.set(info.Id, { jobId: job.id, dir: cgroup.dir, maxRam: 0 });
      log.info({ jobId: job.id, container: name }, 'container started');
      return { ok: true, startedAt: dockerTime(info.State.StartedAt) ?? this.ctx.now() };
    } catch (err) {
      const failure = startFailure(err);
      log.warn(
        { jobId: job.id, retryable: failure.retryable, why: failure.reason },
        'start failed',
      );
      return failure;
    }
  }

  /** The job's granted mounts, or the non-retryable failure a refusal means. */
  private async mountsOf(job: Job): Promise<ResolvedMount[] | StartFailure> {
    try {
      return (await this.ctx.resolveMounts?.(job)) ?? [];
    } catch (err) {
      if (err instanceof GodError && !err.retryable)
        return { ok: false, retryable: false, reason: err.message };
      throw err;
    }
  }

  /** Creates the container; one left by an interrupted start of the same attempt is replaced. */
  private async create(
    options: Docker.ContainerCreateOptions,
    name: string,
  ): Promise<Docker.Container> {
    try {
      return await this.docker.createContainer(options);
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
    const old = await this.docker.getContainer(name).inspect();
    if (old.State.Status !== 'created')
      throw new GodError('CONFLICT', `container ${name} exists already (${old.State.Status})`);
    await this.docker.getContainer(name).remove({ force: true });
    return this.docker.createContainer(options);
  }

  private async toggle(
    jobId: number,
    from: 'running' | 'paused',
    act: (c: Docker.Container) => Promise<unknown>,
  ): Promise<void> {
    const found = (await this.containersOf(jobId)).filter((c) => c.State === from);
    if (found.length === 0) {
      this.ctx.logger.info({ jobId, expected: from }, 'no container to suspend or resume');
      return;
    }
    await Promise.all(found.map((c) => act(this.docker.getContainer(c.Id))));
  }

  /** god's containers of job `jobId` on this host, any state. */
  private containersOf(jobId: number): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.job}=${jobId}`, `${LABELS.host}=${this.hostName}`] },
    });
  }

  /** The daemon's cgroup layout (asked once; asked again after a failure). */
  private layout(): Promise<CgroupLayout> {
    this.layoutPromise ??= (async () => {
      const info = (await this.docker.info()) as { CgroupDriver?: string; CgroupVersion?: string };
      const root = this.settings.cgroup_root;
      return layoutOf(info, root, await isUnified(root));
    })();
    this.layoutPromise.catch(() => {
      this.layoutPromise = null;
    });
    return this.layoutPromise;
  }

  /** Starts the event stream, the sampler and the periodic sweep, once. */
  private ensureWatching(): void {
    if (this.watch !== null || this.closed) return;
    const labels = [LABELS.job, `${LABELS.host}=${this.hostName}`];
    this.watch = watchExits(
      this.docker,
      labels,
      {
        onDie: (id) => void this.report(id),
        onConnect: async () => {
          await this.sweep();
        },
      },
      this.ctx.logger,
    );
    const sample = setInterval(() => void this.sample(), SAMPLE_MS);
    const sweep = setInterval(() => {
      this.sweep().catch((err: unknown) => this.ctx.logger.warn({ err }, 'sweep failed'));
    }, SWEEP_MS);
    sample.unref();
    sweep.unref();
    this.timers.push(sample, sweep);
  }

  /**
   * Looks at all of god's containers here: ended ones are reported (in the background), running
   * and paused ones are sampled and returned.
   */
  private async sweep(): Promise<RecoveredRun[]> {
    const layout = await this.layout();
    const all = await this.docker.listContainers({
      all: true,
      filters: { label: [LABELS.job, `${LABELS.host}=${this.hostName}`] },
    });
    const running: RecoveredRun[] = [];
    for (const c of all) {
      const run = parseLabels(c.Labels);
      if (run === null) continue;
      if (c.State === 'exited' || c.State === 'dead') {
        void this.report(c.Id);
      } else if (c.State === 'running' || c.State === 'paused') {
        running.push({ jobId: run.jobId, attempt: run.attempt, epoch: run.epoch });
        if (!this.sampled.has(c.Id)) {
          const dir = jobCgroup(
            layout.driver,
            this.settings.cgroup_parent,
            run.jobId,
            run.attempt,
          ).dir;
          this.sampled.set(c.Id, { jobId: run.jobId, dir, maxRam: 0 });
        }
      }
    }
    return running;
  }

  /** The job's CPU time and memory now, from the cgroup counters the peak sampler reads. */
  async usageNow(jobId: number): Promise<LiveUsage | null> {
    const s = [...this.sampled.values()].find((x) => x.jobId === jobId);
    const layout = s === undefined ? null : await this.layout().catch(() => null);
    if (s === undefined || layout === null) return null;
    const [cpuSeconds, memBytes] = await Promise.all([
      readCpuSeconds(layout, s.dir),
      readMemoryBytes(layout, s.dir),
    ]);
    if (cpuSeconds === null || memBytes === null) return null;
    if (memBytes > s.maxRam) s.maxRam = memBytes;
    return { cpuSeconds, memBytes, peakMemBytes: s.maxRam };
  }

  private async sample(): Promise<void> {
    // No cgroup layout yet (daemon unreachable): this sample is skipped, the next one retries.
    const layout = await this.layout().catch(() => null);
    if (layout === null) return;
    for (const s of this.sampled.values()) {
      const bytes = await readMemoryBytes(layout, s.dir);
      if (bytes !== null && bytes > s.maxRam) s.maxRam = bytes;
    }
  }

  /**
   * Reports the end of container `id` to every listener, then removes it and its cgroup. With no
   * listener, or when one fails, the container stays for a later sweep. Never throws.
   */
  private async report(id: string): Promise<void> {
    if (this.reporting.has(id) || this.listeners.size === 0 || this.closed) return;
    const log = this.ctx.logger;
    this.reporting.add(id);
    try {
      const container = this.docker.getContainer(id);
      let info = await container.inspect();
      await this.starting.get(info.Name.replace(/^\//, ''));
      info = await container.inspect();
      const run = parseLabels(info.Config.Labels);
      const status = info.State.Status;
      if (run === null || (status !== 'exited' && status !== 'dead')) return;
      const layout = await this.layout();
      const dir = jobCgroup(layout.driver, this.settings.cgroup_parent, run.jobId, run.attempt).dir;
      const report = await this.reportOf(id, run, info.State, layout, dir);
      const results = await Promise.allSettled([...this.listeners].map(async (l) => l(report)));
      if (results.some((r) => r.status === 'rejected')) {
        log.warn({ jobId: run.jobId, container: id }, 'exit not handled, container kept');
        return;
      }
      this.kills.delete(id);
      this.sampled.delete(id);
      await container.remove().catch(ignoreGone);
      await removeJobCgroup(layout, dir, log);
    } catch (err) {
      if (!isNotFound(err)) log.warn({ err: messageOf(err), container: id }, 'exit report failed');
    } finally {
      this.reporting.delete(id);
    }
  }

  private async reportOf(
    id: string,
    run: RunLabels,
    state: Docker.ContainerInspectInfo['State'],
    layout: CgroupLayout,
    dir: string,
  ): Promise<ExitReport> {
    const cpuSeconds = (await readCpuSeconds(layout, dir)) ?? 0;
    const last = (await readMemoryBytes(layout, dir)) ?? 0;
    const startedAt = dockerTime(state.StartedAt) ?? this.ctx.now();
    const finishedAt = dockerTime(state.FinishedAt) ?? this.ctx.now();
    return exitReportOf(
      run,
      { exitCode: state.ExitCode, oomKilled: state.OOMKilled, startedAt, finishedAt },
      this.kills.get(id) ?? null,
      { cpuSeconds, maxRamBytes: Math.max(last, this.sampled.get(id)?.maxRam ?? 0) },
    );
  }
}

/** Swallows "no such container" and "already in that state" (304); rethrows the rest. */
function ignoreGone(err: unknown): void {
  const status = statusOf(err);
  if (status === 404 || status === 304 || status === 409) return;
  throw err;
}
