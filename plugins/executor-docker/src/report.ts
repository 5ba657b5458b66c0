/**
 * From an ended container to god's ExitReport: pure, so the outcome rules (success, failed,
 * out of memory, killed) and the usage arithmetic are tested without a daemon.
 */
import { BYTES_PER_GB, formatBytes, type ExitReport } from '@god/core';
import { LABELS } from './spec.js';

/** What god's labels on a container say about its run. */
export interface RunLabels {
  jobId: number;
  attempt: number;
  epoch: number;
  host: string;
  /** The memory limit in bytes. */
  ramBytes: number;
  gpus: number;
}

/** The run a god container belongs to, or null when its labels are not god's. */
export function parseLabels(labels: Record<string, string> | undefined): RunLabels | null {
  if (labels === undefined) return null;
  const int = (key: string): number | null => {
    const v = labels[key];
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
  };
  const jobId = int(LABELS.job);
  const attempt = int(LABELS.attempt);
  const epoch = int(LABELS.epoch);
  // Containers made before RAM was counted in bytes carry it in GB.
  const oldGB = Number(labels[LABELS.ramGB] ?? 'NaN');
  const ramBytes = int(LABELS.ramBytes) ?? (Number.isFinite(oldGB) ? oldGB * BYTES_PER_GB : 0);
  const gpus = int(LABELS.gpus) ?? 0;
  if (jobId === null || attempt === null || epoch === null) return null;
  return {
    jobId,
    attempt,
    epoch,
    host: labels[LABELS.host] ?? '',
    ramBytes,
    gpus,
  };
}

/** Epoch ms of a Docker timestamp (nanosecond fraction allowed); null for Docker's zero time. */
export function dockerTime(text: string | undefined): number | null {
  if (text === undefined || text.startsWith('0001-')) return null;
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? null : ms;
}

/** How a container ended, as its inspection says. */
export interface ContainerEnd {
  exitCode: number;
  oomKilled: boolean;
  startedAt: number;
  finishedAt: number;
}

/** What the cgroups measured. */
export interface MeasuredUsage {
  cpuSeconds: number;
  maxRamBytes: number;
}

/**
 * The report of a run's end. `killReason`: god stopped it (outcome `killed`) unless the kernel
 * killed it for memory first; an out-of-memory kill is a failure whatever the exit code.
 */
export function exitReportOf(
  run: RunLabels,
  end: ContainerEnd,
  killReason: string | null,
  measured: MeasuredUsage,
): ExitReport {
  const endedAt = Math.max(end.finishedAt, end.startedAt);
  const wallSeconds = (endedAt - end.startedAt) / 1000;
  const base = {
    jobId: run.jobId,
    attempt: run.attempt,
    exitcode: end.exitCode,
    startedAt: end.startedAt,
    endedAt,
    usage: {
      cpuSeconds: measured.cpuSeconds,
      maxRamBytes: measured.maxRamBytes,
      wallSeconds,
      ramGBSeconds: (run.ramBytes / BYTES_PER_GB) * wallSeconds,
      gpuSeconds: run.gpus * wallSeconds,
    },
  };
  if (end.oomKilled)
    return {
      ...base,
      outcome: 'failed',
      reason: `out of memory: exceeded its ${formatBytes(run.ramBytes)} limit`,
    };
  if (killReason !== null) return { ...base, outcome: 'killed', reason: killReason };
  if (end.exitCode === 0) return { ...base, outcome: 'success', reason: 'exit code 0' };
  return { ...base, outcome: 'failed', reason: `exit code ${end.exitCode}` };
}
