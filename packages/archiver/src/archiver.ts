/**
 * The archiver: moves finished jobs `over -> archived` and removes their task directories,
 * periodically for jobs that ended more than `clean_old` days ago (0: never), and on request
 * from the `archive` queue. The record and the usage ledger stay (accounting). The directory is
 * removed before the state changes: a crash in between leaves an `over` job whose next
 * archiving finds no directory (fine), never an archived job whose directory is left behind.
 * Several archivers may run: the state change is a compare-and-set, removal is idempotent.
 */
import { ValidationError, type Config, type Job } from '@god/core';
import {
  parseArchiveRequest,
  queueNames,
  type ArchiveRequest,
  type Logger,
  type Queues,
} from '@god/coord';
import type { Store } from '@god/store';
import { removeTaskDir } from './task-dir.js';

/** What archiving one job did (an archive request's answer). */
export type ArchiveResult =
  | 'archived'
  /** The job is still alive: only `over` jobs are archived. */
  | 'not-finished'
  | 'already-archived'
  /** Its task directory resolves outside shared_dir: nothing removed, the job stays `over`. */
  | 'refused'
  | 'unknown'
  | 'malformed';

/** What the archiver needs. */
export interface ArchiverOptions {
  config: Config;
  store: Store;
  queues: Queues;
  logger: Logger;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
}

/** A running archiver. */
export interface Archiver {
  /** Starts the request worker and the periodic pass (first pass at once). */
  start(): Promise<void>;
  /** Stops, letting the work in progress finish. */
  stop(): Promise<void>;
  /** One periodic pass now: the number of jobs archived. */
  archiveOld(): Promise<number>;
  /** Archives one job now (what a request does). */
  archive(jobId: number): Promise<ArchiveResult>;
}

const DAY_MS = 86_400_000;

/** Creates an archiver; nothing happens until `start`. */
export function createArchiver(opts: ArchiverOptions): Archiver {
  const { config, store, logger: log } = opts;
  const now = opts.now ?? Date.now;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let worker: { close(): Promise<void>; waitUntilReady(): Promise<unknown> } | null = null;
  let stopped = false;

  async function archiveJob(job: Job): Promise<ArchiveResult> {
    if (job.state === 'archived') return 'already-archived';
    if (job.state !== 'over') return 'not-finished';
    try {
      await removeTaskDir(config.shared_dir, job);
    } catch (err) {
      // Whatever a job left in its directory (a tree deeper than PATH_MAX, names swapped during
      // the removal, an I/O error) fails that job alone: the pass goes on with the others, so
      // one user cannot keep everyone's finished jobs from being archived.
      log.error({ jobId: job.id, err }, 'task directory not removed');
      return 'refused';
    }
    const res = await store.transition(job.id, 'over', 'archived', { at: now() });
    if (!res.ok) return res.actual === 'archived' ? 'already-archived' : 'unknown';
    log.info({ jobId: job.id }, 'job archived');
    return 'archived';
  }

  async function archive(jobId: number): Promise<ArchiveResult> {
    const job = await store.getJob(jobId);
    return job === null ? 'unknown' : archiveJob(job);
  }

  async function archiveOld(): Promise<number> {
    if (config.clean_old === 0) return 0;
    const endedBefore = now() - config.clean_old * DAY_MS;
    let archived = 0;
    let cursor: string | null = null;
    do {
      const page = await store.listJobs({ state: 'over', endedBefore }, { limit: 500, cursor });
      for (const job of page.jobs) if ((await archiveJob(job)) === 'archived') archived += 1;
      cursor = page.nextCursor;
    } while (cursor !== null && !stopped);
    return archived;
  }

  function schedule(): void {
    if (stopped) return;
    running = archiveOld()
      .then((n) => n > 0 && log.info({ archived: n }, 'old jobs archived'))
      .catch((err: unknown) => log.error({ err }, 'archiving pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(schedule, config.archiver.interval_ms);
      });
  }

  return {
    archive,
    archiveOld,
    async start() {
      const w = opts.queues.createWorker<unknown, ArchiveResult>(queueNames.archive, async (m) => {
        let req: ArchiveRequest;
        try {
          req = parseArchiveRequest(m.data);
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          log.warn({ messageId: m.id, issues: err.issues }, 'malformed archive request dropped');
          return 'malformed';
        }
        const result = await archive(req.jobId);
        log.info({ jobId: req.jobId, by: req.by, result }, 'archive request done');
        return result;
      });
      w.on('failed', (m, err) => log.error({ err, messageId: m?.id }, 'archive request failed'));
      worker = w;
      await w.waitUntilReady();
      schedule();
      log.info({ clean_old: config.clean_old }, 'archiver started');
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await worker?.close();
      await running;
    },
  };
}
