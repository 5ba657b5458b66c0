/** A job's run on the fake executor, and the exit report it ends with. */
import { BYTES_PER_GB, type ExitReport } from '@god/core';
import type { TimerHandle } from './timer-queue.js';

/** One job on the fake executor, from its start to its end. */
export interface Run {
  jobId: number;
  cpu: number;
  /** Bytes. */
  ram: number;
  gpus: number;
  exitcode: number;
  /** Run time left: all of it until started, what remains while suspended. */
  runtimeMs: number;
  phase: 'starting' | 'running';
  startedAt: number;
  /** Planned natural end while running (not suspended). */
  due: number;
  timer: TimerHandle | null;
  suspendedAt: number | null;
  suspendedMs: number;
  /** Set by a kill that came while the job was starting. */
  killReason: string | null;
  /** Ends a start-latency wait early (close). */
  wake: (() => void) | null;
}

/** The report of `run` ending at `at`: usage is the job's request times its wall time. */
export function exitReport(
  run: Run,
  outcome: ExitReport['outcome'],
  reason: string,
  at: number,
): ExitReport {
  const wallSeconds = Math.max(0, at - run.startedAt - run.suspendedMs) / 1000;
  return {
    jobId: run.jobId,
    outcome,
    exitcode: outcome === 'killed' ? null : run.exitcode,
    reason,
    startedAt: run.startedAt,
    endedAt: at,
    usage: {
      cpuSeconds: run.cpu * wallSeconds,
      ramGBSeconds: (run.ram / BYTES_PER_GB) * wallSeconds,
      gpuSeconds: run.gpus * wallSeconds,
      wallSeconds,
      maxRamBytes: run.ram,
    },
  };
}
