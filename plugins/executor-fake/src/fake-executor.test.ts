import {
  createRegistry,
  isSuspendable,
  samplesUsage,
  type ExecutorDefinition,
  type ExitReport,
} from '@god/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeExecutorConfigSchema } from './config.js';
import type { FakeExecutor } from './fake-executor.js';
import fakeDefault, { fakeExecutor } from './index.js';
import { makeJob } from '@god/testkit';

interface LogLine {
  level: string;
  msg: string;
  fields: object;
}

/** A fake executor on the (fake-timer) Date clock, with its reports and log lines collected. */
function makeExecutor(config: object = {}): {
  ex: FakeExecutor;
  reports: ExitReport[];
  logs: LogLine[];
} {
  const logs: LogLine[] = [];
  const log =
    (level: string) =>
    (fields: object, msg: string): void => {
      logs.push({ level, msg, fields });
    };
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const ex = fakeExecutor.create(FakeExecutorConfigSchema.parse(config), {
    logger,
    now: () => Date.now(),
  });
  const reports: ExitReport[] = [];
  ex.onExit((r) => {
    reports.push(r);
  });
  return { ex, reports, logs };
}

describe('fake executor definition', () => {
  it('is the default and named export, registers as an executor, and can suspend', () => {
    expect(fakeDefault).toBe(fakeExecutor);
    const defs: ExecutorDefinition[] = [fakeExecutor];
    expect(createRegistry('executor', defs).get('FAKE')).toBe(fakeExecutor);
    const { ex } = makeExecutor();
    expect(ex.name).toBe('fake');
    expect(ex.placesJobs).toBe(true);
    expect(isSuspendable(ex)).toBe(true);
  });
});

describe('fake executor with fake timers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports success at the end of the run time with usage from cpu, ram and gpus', async () => {
    const { ex, reports } = makeExecutor({ runtime_ms: 1500 });
    const res = await ex.start(makeJob(1, { requirements: { cpu: 2, ram: 4 * 2 ** 30, gpus: 1 } }));
    expect(res).toEqual({ ok: true, startedAt: 1_000_000 });
    await vi.advanceTimersByTimeAsync(1499);
    expect(reports).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(reports).toEqual([
      {
        jobId: 1,
        outcome: 'success',
        exitcode: 0,
        reason: 'exit code 0',
        startedAt: 1_000_000,
        endedAt: 1_001_500,
        usage: {
          cpuSeconds: 3,
          ramGBSeconds: 6,
          gpuSeconds: 1.5,
          wallSeconds: 1.5,
          maxRamBytes: 4 * 2 ** 30,
        },
      },
    ]);
    expect(ex.runningJobs()).toEqual([]);
  });

  it('takes run time and exit code from the job environment', async () => {
    const { ex, reports } = makeExecutor({ runtime_ms: 10, failure_rate: 1 });
    await ex.start(makeJob(1, { env: { FAKE_EXIT_CODE: '3', FAKE_RUNTIME_MS: '200' } }));
    await ex.start(makeJob(2, { env: { FAKE_EXIT_CODE: '0' } }));
    await ex.start(makeJob(3));
    await vi.advanceTimersByTimeAsync(200);
    const byId = new Map(reports.map((r) => [r.jobId, r]));
    expect(byId.get(1)).toMatchObject({ outcome: 'failed', exitcode: 3, reason: 'exit code 3' });
    expect(byId.get(1)?.endedAt).toBe(1_000_200);
    expect(byId.get(2)).toMatchObject({ outcome: 'success', exitcode: 0, endedAt: 1_000_010 });
    // failure_rate 1 applies only where FAKE_EXIT_CODE does not.
    expect(byId.get(3)).toMatchObject({ outcome: 'failed', exitcode: 1 });
  });

  it('refuses starts as FAKE_FAIL_START asks, bad FAKE_* values, and unknown hosts', async () => {
    const { ex } = makeExecutor({ hosts: { count: 2 } });
    const fail = (id: number, env: Record<string, string>): ReturnType<FakeExecutor['start']> =>
      ex.start(makeJob(id, { env }));
    expect(await fail(1, { FAKE_FAIL_START: 'retryable' })).toMatchObject({
      ok: false,
      retryable: true,
    });
    expect(await fail(2, { FAKE_FAIL_START: 'fatal' })).toMatchObject({ retryable: false });
    expect(await fail(3, { FAKE_FAIL_START: 'yes' })).toMatchObject({ retryable: false });
    expect(await fail(4, { FAKE_EXIT_CODE: '256' })).toMatchObject({ retryable: false });
    expect(await fail(5, { FAKE_RUNTIME_MS: '-1' })).toMatchObject({ retryable: false });
    const elsewhere = makeJob(6);
    elsewhere.placement = { ...elsewhere.placement!, host: 'fake-3' };
    expect(await ex.start(elsewhere)).toEqual({
      ok: false,
      retryable: true,
      reason: 'unknown host fake-3',
    });
    expect(ex.runningJobs()).toEqual([]);
    expect(ex.startCount(1)).toBe(0);
  });

  it('refuses to start a running job again, and counts the attempt', async () => {
    const { ex, reports } = makeExecutor({ runtime_ms: 100 });
    expect(await ex.start(makeJob(7))).toMatchObject({ ok: true });
    expect(await ex.start(makeJob(7))).toEqual({
      ok: false,
      retryable: false,
      reason: 'already running',
    });
    expect(ex.doubleStarts()).toEqual([7]);
    expect(ex.startCount(7)).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(reports.map((r) => r.jobId)).toEqual([7]);
    // Once it ended, the job may run again (a retry): that is not a double start.
    expect(await ex.start(makeJob(7))).toMatchObject({ ok: true });
    expect(ex.startCount(7)).toBe(2);
    expect(ex.doubleStarts()).toEqual([7]);
  });

  it('kills a running job once, with wall time up to the kill, and ignores unknown ids', async () => {
    const { ex, reports } = makeExecutor({ runtime_ms: 1000 });
    await ex.start(makeJob(1, { requirements: { cpu: 4 } }));
    await vi.advanceTimersByTimeAsync(250);
    await ex.kill(1, 'killed by alice');
    await ex.kill(1, 'again');
    await ex.kill(99, 'never started');
    await vi.advanceTimersByTimeAsync(5000);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      jobId: 1,
      outcome: 'killed',
      exitcode: null,
      reason: 'killed by alice',
      endedAt: 1_000_250,
      usage: { wallSeconds: 0.25, cpuSeconds: 1 },
    });
  });

  it('suspend and resume shift the end by the suspended time, excluded from wall time', async () => {
    const { ex, reports } = makeExecutor({ runtime_ms: 1000 });
    await ex.start(makeJob(1));
    await vi.advanceTimersByTimeAsync(400);
    await ex.suspend(1);
    await ex.suspend(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(reports).toEqual([]);
    await ex.resume(1);
    await ex.resume(1);
    await vi.advanceTimersByTimeAsync(599);
    expect(reports).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(reports[0]).toMatchObject({
      outcome: 'success',
      startedAt: 1_000_000,
      endedAt: 1_006_000,
      usage: { wallSeconds: 1 },
    });
  });

  it('kills a suspended job without charging the suspended time', async () => {
    const { ex, reports } = makeExecutor({ runtime_ms: 1000 });
    await ex.start(makeJob(1));
    await vi.advanceTimersByTimeAsync(300);
    await ex.suspend(1);
    await vi.advanceTimersByTimeAsync(2000);
    await ex.kill(1, 'stop');
    expect(reports[0]).toMatchObject({ outcome: 'killed', usage: { wallSeconds: 0.3 } });
  });

  it('with start latency, overlapping starts are measured and a kill while starting waits', async () => {
    const { ex, reports } = makeExecutor({ runtime_ms: 1000, start_latency_ms: 50 });
    const first = ex.start(makeJob(1));
    const second = ex.start(makeJob(2));
    expect(await ex.start(makeJob(1))).toMatchObject({ reason: 'already running' });
    await ex.kill(2, 'changed my mind');
    expect(reports).toEqual([]);
    await vi.advanceTimersByTimeAsync(50);
    expect(await first).toEqual({ ok: true, startedAt: 1_000_050 });
    expect(await second).toEqual({ ok: true, startedAt: 1_000_050 });
    expect(reports).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(reports).toMatchObject([{ jobId: 2, outcome: 'killed', reason: 'changed my mind' }]);
    expect(ex.maxConcurrentStarts).toBe(2);
    expect(ex.maxRunning).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(reports.map((r) => r.jobId)).toEqual([2, 1]);
  });

  it('close drops running jobs without reports and fails starts in progress', async () => {
    const { ex, reports } = makeExecutor({ runtime_ms: 100, start_latency_ms: 10 });
    const starting = ex.start(makeJob(1));
    await vi.advanceTimersByTimeAsync(10);
    await starting;
    const late = ex.start(makeJob(2));
    await ex.close();
    expect(await late).toEqual({ ok: false, retryable: true, reason: 'executor closed' });
    expect(await ex.start(makeJob(3))).toMatchObject({ ok: false, retryable: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(reports).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps reporting to other listeners when one throws, and unsubscribes', async () => {
    const { ex, reports, logs } = makeExecutor();
    const off = ex.onExit(() => {
      throw new Error('boom');
    });
    await ex.start(makeJob(1));
    await vi.advanceTimersByTimeAsync(0);
    off();
    await ex.start(makeJob(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(reports.map((r) => r.jobId)).toEqual([1, 2]);
    expect(logs.filter((l) => l.msg === 'exit listener failed')).toHaveLength(1);
  });
});

describe('fake executor failure_rate', () => {
  /** Ids of the jobs 1..n that fail under `seed`, run to their ends on real timers. */
  async function failingIds(seed: number, n: number): Promise<number[]> {
    const { ex, reports } = makeExecutor({ failure_rate: 0.3, seed });
    const done = untilReports(ex, n);
    for (let id = 1; id <= n; id++) await ex.start(makeJob(id));
    await done;
    expect(reports).toHaveLength(n);
    return reports.filter((r) => r.outcome === 'failed').map((r) => r.jobId);
  }

  it('fails the same jobs for the same seed, other jobs for another, about as often as asked', async () => {
    const a = await failingIds(42, 2000);
    const b = await failingIds(42, 2000);
    const c = await failingIds(43, 2000);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a.length).toBeGreaterThan(500);
    expect(a.length).toBeLessThan(700);
  });
});

describe('fake executor at scale', () => {
  it('runs 20,000 jobs of run time 0 and reports each exactly once', async () => {
    const n = 20_000;
    const { ex, reports } = makeExecutor({ hosts: { count: 100 } });
    const done = untilReports(ex, n);
    for (let id = 1; id <= n; id++) {
      const res = await ex.start(makeJob(id));
      if (!res.ok) throw new Error(`start ${id}: ${res.reason}`);
    }
    await done;
    expect(reports).toHaveLength(n);
    expect(new Set(reports.map((r) => r.jobId)).size).toBe(n);
    expect(reports.every((r) => r.outcome === 'success')).toBe(true);
    expect(ex.runningJobs()).toEqual([]);
    expect(ex.doubleStarts()).toEqual([]);
    await ex.close();
  });
});

/** Resolves once `ex` reported `n` exits (the test timeout is the deadline). */
function untilReports(ex: FakeExecutor, n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const off = ex.onExit(() => {
      if (++seen === n) {
        off();
        resolve();
      }
    });
  });
}

describe('fake executor live usage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('measures a running job as its cores busy all along, its RAM used; nothing once ended', async () => {
    const { ex } = makeExecutor({ runtime_ms: 10_000 });
    expect(samplesUsage(ex)).toBe(true);
    expect(await ex.usageNow(1)).toBeNull();
    await ex.start(makeJob(1, { requirements: { cpu: 2, ram: 3 * 2 ** 30, gpus: 0 } }));
    await vi.advanceTimersByTimeAsync(1_500);
    const ram = 3 * 2 ** 30;
    expect(await ex.usageNow(1)).toEqual({ cpuSeconds: 3, memBytes: ram, peakMemBytes: ram });
    // Suspended time uses no CPU.
    await ex.suspend(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect((await ex.usageNow(1))?.cpuSeconds).toBe(3);
    await ex.resume(1);
    await vi.advanceTimersByTimeAsync(500);
    expect((await ex.usageNow(1))?.cpuSeconds).toBe(4);
    await ex.kill(1, 'test');
    expect(await ex.usageNow(1)).toBeNull();
  });
});
