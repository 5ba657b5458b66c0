/**
 * How one job will run on the fake executor: its run time and exit code from the config and the
 * job's `FAKE_*` environment variables, or why its start is refused. Pure and deterministic.
 */
import type { Job } from '@god/core';
import type { FakeExecutorConfig } from './config.js';

/** Job environment variables the fake executor obeys. */
export const FAKE_ENV = {
  /** Run time in ms (a whole number), instead of the configured `runtime_ms`. */
  runtime: 'FAKE_RUNTIME_MS',
  /** Exit code 0..255; the job succeeds on 0 and fails otherwise. Overrides `failure_rate`. */
  exitCode: 'FAKE_EXIT_CODE',
  /** `retryable` or `fatal`: `start()` refuses the job with that kind of failure. */
  failStart: 'FAKE_FAIL_START',
} as const;

/** A job's run, or the refusal its start returns. */
export type RunPlan =
  | { ok: true; runtimeMs: number; exitcode: number }
  | { ok: false; retryable: boolean; reason: string };

/** The run of `job` under `config`; the failure draw depends on seed, job id and attempt only. */
export function planRun(job: Job, config: FakeExecutorConfig): RunPlan {
  const env = job.env;
  const failStart = env[FAKE_ENV.failStart];
  if (failStart !== undefined) {
    if (failStart === 'retryable' || failStart === 'fatal') {
      const retryable = failStart === 'retryable';
      return { ok: false, retryable, reason: `${FAKE_ENV.failStart}=${failStart}` };
    }
    return invalid(FAKE_ENV.failStart, failStart, "'retryable' or 'fatal'");
  }
  let runtimeMs = config.runtime_ms;
  const runtime = env[FAKE_ENV.runtime];
  if (runtime !== undefined) {
    if (!/^\d+$/.test(runtime.trim())) return invalid(FAKE_ENV.runtime, runtime, 'a whole number');
    runtimeMs = Number(runtime);
  }
  const code = env[FAKE_ENV.exitCode];
  if (code !== undefined) {
    const exitcode = Number(code);
    if (!/^\d+$/.test(code.trim()) || exitcode > 255)
      return invalid(FAKE_ENV.exitCode, code, 'a whole number 0..255');
    return { ok: true, runtimeMs, exitcode };
  }
  const fails = drawUnit(config.seed, job.id, job.attempts) < config.failure_rate;
  return { ok: true, runtimeMs, exitcode: fails ? config.failure_exit_code : 0 };
}

function invalid(name: string, value: string, expected: string): RunPlan {
  return { ok: false, retryable: false, reason: `${name}="${value}" is not ${expected}` };
}

/**
 * A number in [0, 1) from (seed, job id, attempt): a hash rather than a stream, so a job's draw
 * does not depend on the order jobs start in (two runs, or two schedulers, agree).
 */
export function drawUnit(seed: number, jobId: number, attempt: number): number {
  let h = mix32(seed | 0);
  h = mix32(h ^ (jobId | 0));
  h = mix32(h ^ Math.floor(jobId / 2 ** 32));
  h = mix32(h ^ (attempt | 0));
  return h / 2 ** 32;
}

/** murmur3's 32-bit finalizer (plus a constant so that 0 does not map to 0). */
function mix32(x: number): number {
  let h = (x + 0x9e3779b9) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
