/** Exit reports from ended containers: outcomes, reasons and usage arithmetic. */
import { describe, expect, it } from 'vitest';
import { dockerTime, exitReportOf, parseLabels, type RunLabels } from './report.js';

const run: RunLabels = {
  jobId: 5,
  attempt: 2,
  epoch: 3,
  host: 'h',
  ramBytes: 4 * 2 ** 30,
  gpus: 2,
};
const end = { exitCode: 0, oomKilled: false, startedAt: 10_000, finishedAt: 20_000 };
const measured = { cpuSeconds: 7.5, maxRamBytes: 123 };

describe('exitReportOf', () => {
  it('reports exit code 0 as success with usage in resource-seconds', () => {
    expect(exitReportOf(run, end, null, measured)).toEqual({
      jobId: 5,
      attempt: 2,
      outcome: 'success',
      exitcode: 0,
      reason: 'exit code 0',
      startedAt: 10_000,
      endedAt: 20_000,
      usage: {
        cpuSeconds: 7.5,
        maxRamBytes: 123,
        wallSeconds: 10,
        ramGBSeconds: 40,
        gpuSeconds: 20,
      },
    });
  });

  it('reports a non-zero exit as failed with its code', () => {
    const r = exitReportOf(run, { ...end, exitCode: 2 }, null, measured);
    expect([r.outcome, r.exitcode, r.reason]).toEqual(['failed', 2, 'exit code 2']);
  });

  it('reports a kill by god as killed with its reason', () => {
    const r = exitReportOf(run, { ...end, exitCode: 143 }, 'killed by bob', measured);
    expect([r.outcome, r.exitcode, r.reason]).toEqual(['killed', 143, 'killed by bob']);
  });

  it('reports an OOM kill as failed with the limit, even when god was stopping it', () => {
    const oom = { ...end, exitCode: 137, oomKilled: true };
    for (const kill of [null, 'killed by bob']) {
      const r = exitReportOf(run, oom, kill, measured);
      expect([r.outcome, r.exitcode, r.reason]).toEqual([
        'failed',
        137,
        'out of memory: exceeded its 4 GiB limit',
      ]);
    }
  });

  it('never reports a negative wall time', () => {
    const r = exitReportOf(run, { ...end, finishedAt: 5_000 }, null, measured);
    expect(r.usage.wallSeconds).toBe(0);
    expect(r.endedAt).toBe(10_000);
  });
});

describe('parseLabels', () => {
  it('reads god labels (RAM in bytes, or in GB on containers made before)', () => {
    const labels = {
      'god.job': '5',
      'god.attempt': '2',
      'god.epoch': '3',
      'god.host': 'h',
      'god.gpus': '2',
    };
    expect(parseLabels({ ...labels, 'god.ram_bytes': String(4 * 2 ** 30) })).toEqual(run);
    expect(parseLabels({ ...labels, 'god.ram_gb': '4' })).toEqual(run);
  });

  it('ignores containers that are not god runs', () => {
    expect(parseLabels(undefined)).toBeNull();
    expect(parseLabels({ 'god.job': '5' })).toBeNull();
    expect(parseLabels({ 'god.job': 'x', 'god.attempt': '1', 'god.epoch': '1' })).toBeNull();
  });
});

describe('dockerTime', () => {
  it('reads nanosecond timestamps and Docker zero time', () => {
    expect(dockerTime('2024-05-01T12:00:00.123456789Z')).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 123));
    expect(dockerTime('0001-01-01T00:00:00Z')).toBeNull();
    expect(dockerTime(undefined)).toBeNull();
  });
});
