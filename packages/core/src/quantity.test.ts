/**
 * One definition of every quantity (#19): whatever a user writes, an accepted value is an
 * integer in base units within the documented minimum and the configured maximum; anything
 * else is refused naming the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { ValidationError } from './errors.js';
import { parseJobSubmission } from './job-schema.js';
import { MAX_CPU, MAX_GPUS, jobLimitIssues, type JobLimits } from './quantity.js';
import {
  MAX_DURATION_SECONDS,
  MAX_SIZE_BYTES,
  MIN_RAM_BYTES,
  parseDurationSeconds,
  parseSizeBytes,
} from './units.js';

const minimal = { container: { image: 'busybox' }, command: { cmd: 'true' } };
const GiB = 2 ** 30;

/** Numbers of every kind a JSON body can carry, and strings that look like them. */
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e-300, 1e308, -0, 5e-324, 2 ** 53, 2 ** 60, 0.1, 1 / 3),
);
const anyText = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-1G',
    '1e308',
    '1e-300',
    '0x10G',
    ' 8G ',
    '1.5T',
    '99999999999999999999G',
    '6291455B',
    '6M',
    '1d2h',
    '1h30',
    '2147483648',
  ),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('', 'B', 'K', 'M', 'G', 'T', 'P', 'KiB', 'GB', 's', 'm', 'h', 'd'),
    )
    .map(([n, u]) => `${n}${u}`),
);
const anyInput = fc.oneof(anyNumber, anyText);

describe('quantity parsers', () => {
  it('a size is an integer number of bytes in [0, 1 PiB], or refused', () => {
    fc.assert(
      fc.property(anyInput, (v) => {
        const r = parseSizeBytes(v);
        if (typeof r === 'string') return;
        expect(Number.isSafeInteger(r)).toBe(true);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(MAX_SIZE_BYTES);
      }),
      { numRuns: 2000 },
    );
  });

  it('a duration is an integer number of seconds in [0, 2^31 - 1], or refused', () => {
    fc.assert(
      fc.property(anyInput, (v) => {
        const r = parseDurationSeconds(v);
        if (typeof r === 'string') return;
        expect(Number.isSafeInteger(r)).toBe(true);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(MAX_DURATION_SECONDS);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what rounds to nothing or to infinity', () => {
    expect(parseSizeBytes(1e-300)).toBe(0);
    expect(typeof parseSizeBytes(1e308)).toBe('string');
    expect(typeof parseSizeBytes('NaN')).toBe('string');
    expect(typeof parseSizeBytes(Number.NaN)).toBe('string');
    expect(typeof parseDurationSeconds(1e308)).toBe('string');
    expect(typeof parseDurationSeconds('99999999999999999999')).toBe('string');
    expect(parseSizeBytes('6M')).toBe(MIN_RAM_BYTES);
  });
});

describe('a submission', () => {
  const limits: JobLimits = resolveConfig().limits.job;

  it('accepts requirements only as integers in base units within [minimum, maximum]', () => {
    const requirements = fc.record(
      { cpu: anyInput, ram: anyInput, gpus: anyInput, maxlifespan: anyInput },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(requirements, (req) => {
        let r;
        try {
          r = parseJobSubmission({ ...minimal, requirements: req }).requirements;
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
          for (const issue of (err as ValidationError).issues)
            expect(issue.path).toMatch(/^requirements\.(cpu|ram|gpus|maxlifespan)$/);
          return;
        }
        for (const n of [r.cpu, r.ram, r.gpus, r.maxlifespan])
          expect(Number.isSafeInteger(n)).toBe(true);
        expect(r.cpu).toBeGreaterThanOrEqual(1);
        expect(r.cpu).toBeLessThanOrEqual(MAX_CPU);
        expect(r.ram).toBeGreaterThanOrEqual(MIN_RAM_BYTES);
        expect(r.ram).toBeLessThanOrEqual(MAX_SIZE_BYTES);
        expect(r.gpus).toBeGreaterThanOrEqual(0);
        expect(r.gpus).toBeLessThanOrEqual(MAX_GPUS);
        const over = jobLimitIssues(r, limits, []).map((i) => i.path);
        expect(over.includes('requirements.ram')).toBe(r.ram > limits.max_ram);
        expect(over.includes('requirements.maxlifespan')).toBe(
          r.maxlifespan > limits.max_maxlifespan,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses tmpstorage, which god does not enforce, naming the field', () => {
    expect(() => parseJobSubmission({ ...minimal, requirements: { tmpstorage: '10G' } })).toThrow(
      /requirements\.tmpstorage/,
    );
    expect(
      parseJobSubmission({ ...minimal, requirements: { tmpstorage: null } }).requirements
        .tmpstorage,
    ).toBeNull();
  });

  it('names constraints that are not configured, and values that are not listed', () => {
    const zones = [{ name: 'zone', values: ['a', 'b'] }];
    const req = { cpu: 1, ram: GiB, gpus: 0, maxlifespan: 0 };
    const issues = (label: string[], c = zones): string[] =>
      jobLimitIssues({ ...req, label }, limits, c).map((i) => `${i.path}: ${i.message}`);
    expect(issues(['zone==a', 'zone==b'])).toEqual([]);
    expect(issues(['zone==a', 'zone==c', 'rack==1'])).toEqual([
      'requirements.label[1]: c is not a value of zone (a, b)',
      'requirements.label[2]: rack is not a configured constraint (zone)',
    ]);
    expect(issues(['zone==a'], [])).toEqual([
      'requirements.label[0]: no placement constraints are configured',
    ]);
  });

  it('reads limits.job from the config in the same units', () => {
    const cfg = resolveConfig({
      sets: ['limits.job.max_ram=512M', 'limits.job.max_maxlifespan=2h', 'defaults.ram=256M'],
    });
    expect(cfg.limits.job).toMatchObject({ max_ram: GiB / 2, max_maxlifespan: 7200 });
    expect(cfg.defaults.ram).toBe(GiB / 4);
    expect(() => resolveConfig({ sets: ['limits.job.max_ram=1M'] })).toThrow(
      /limits\.job\.max_ram/,
    );
    expect(() => resolveConfig({ sets: ['defaults.ram=1e-300'] })).toThrow(/defaults\.ram/);
    expect(() =>
      resolveConfig({
        sets: [
          'limits.job.max_ram=1G',
          'defaults.ram=2G',
          'defaults.cpu=8',
          'limits.job.max_cpu=4',
        ],
      }),
    ).toThrow(/defaults\.cpu.*\n?.*defaults\.ram|defaults\.ram.*defaults\.cpu/s);
  });
});
