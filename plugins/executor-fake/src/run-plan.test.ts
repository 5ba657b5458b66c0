import { describe, expect, it } from 'vitest';
import { FakeExecutorConfigSchema } from './config.js';
import { makeJob } from '@god/testkit';
import { drawUnit, planRun } from './run-plan.js';

const config = FakeExecutorConfigSchema.parse({ runtime_ms: 5, failure_rate: 0.5, seed: 9 });

describe('planRun', () => {
  it.each([
    ['the config run time and a drawn exit code', {}, { ok: true, runtimeMs: 5 }],
    ['FAKE_RUNTIME_MS', { FAKE_RUNTIME_MS: '70' }, { ok: true, runtimeMs: 70 }],
    ['FAKE_EXIT_CODE', { FAKE_EXIT_CODE: '255' }, { ok: true, exitcode: 255 }],
    ['FAKE_FAIL_START=retryable', { FAKE_FAIL_START: 'retryable' }, { ok: false, retryable: true }],
    ['FAKE_FAIL_START=fatal', { FAKE_FAIL_START: 'fatal' }, { ok: false, retryable: false }],
    ['a fractional run time', { FAKE_RUNTIME_MS: '1.5' }, { ok: false, retryable: false }],
    ['an empty exit code', { FAKE_EXIT_CODE: '' }, { ok: false, retryable: false }],
    ['a negative exit code', { FAKE_EXIT_CODE: '-1' }, { ok: false, retryable: false }],
  ])('uses %s', (_name, env: Record<string, string>, expected) => {
    expect(planRun(makeJob(1, { env }), config)).toMatchObject(expected);
  });

  it('draws in [0, 1), spread out, and different per seed, job id and attempt', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => drawUnit(9, i, 1));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
    expect(drawUnit(9, 5, 1)).not.toBe(drawUnit(10, 5, 1));
    expect(drawUnit(9, 5, 1)).not.toBe(drawUnit(9, 5, 2));
    expect(drawUnit(9, 5, 1)).not.toBe(drawUnit(9, 5 + 2 ** 32, 1));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});
