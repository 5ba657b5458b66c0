import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageFactor, ageForFactor, fairShareFactor } from './factors.js';
import { billRate, billUsage, Decay, newAccount } from './usage.js';

const H = 3600; // half-life in seconds
const HMS = H * 1000;

describe('decayed usage accounts', () => {
  it('halves a charge after one half-life and quarters it after two', () => {
    const d = new Decay(H);
    const a = newAccount();
    d.add(a, 1000, 0);
    expect(d.read(a, HMS)).toBeCloseTo(500, 9);
    expect(d.read(a, 2 * HMS)).toBeCloseTo(250, 9);
  });

  it('books a charge dated in the past at its decayed value', () => {
    const d = new Decay(H);
    const late = newAccount();
    d.add(late, 1, 5 * HMS);
    d.add(late, 1000, 4 * HMS);
    expect(d.read(late, 5 * HMS)).toBeCloseTo(501, 9);
  });

  it('accrues a running job as the integral of its decayed rate', () => {
    const d = new Decay(H);
    const a = newAccount();
    d.start(a, 2, 0);
    // Numerical integral of 2·2^(-(T-t)/h) dt over [0, T], T = 90 minutes.
    const T = 5400;
    let sum = 0;
    const steps = 100_000;
    for (let i = 0; i < steps; i++)
      sum += 2 * 2 ** (-(T - (i + 0.5) * (T / steps)) / H) * (T / steps);
    expect(d.read(a, T * 1000)).toBeCloseTo(sum, 4);
  });

  it('gives the same account whether a job is started live or late with its real start', () => {
    const d = new Decay(H);
    const live = newAccount();
    d.add(live, 300, 0);
    d.start(live, 4, 10_000);
    const late = newAccount();
    d.add(late, 300, 0);
    d.advance(late, 2 * HMS);
    d.start(late, 4, 10_000);
    expect(d.read(late, 3 * HMS)).toBeCloseTo(d.read(live, 3 * HMS), 9);
  });

  it('removes exactly the accrual of a stopped job', () => {
    const d = new Decay(H);
    const a = newAccount();
    d.add(a, 100, 0);
    d.start(a, 3, 0);
    d.start(a, 5, HMS / 2);
    d.stop(a, 3, 0, 2 * HMS, false);
    d.stop(a, 5, HMS / 2, 2 * HMS, true);
    expect(d.read(a, 2 * HMS)).toBeCloseTo(25, 9);
    expect(a.rate).toBe(0);
  });

  it('bills usage and allocations with the weights', () => {
    const b = { cpu: 1, ram: 0.25, gpu: 2 };
    expect(
      billUsage(
        { cpuSeconds: 10, ramGBSeconds: 8, gpuSeconds: 3, wallSeconds: 5, maxRamBytes: 0 },
        b,
      ),
    ).toBe(18);
    expect(
      billRate(
        { id: 1, user: 'u', project: 'p', submitted: 0, cpu: 4, ram: 8 * 2 ** 30, gpus: 1 },
        b,
      ),
    ).toBe(8);
    expect(
      billUsage(
        { cpuSeconds: Number.NaN, ramGBSeconds: 0, gpuSeconds: 0, wallSeconds: 0, maxRamBytes: 0 },
        b,
      ),
    ).toBe(0);
  });
});

describe('score factors', () => {
  it('gives 1 without usage, 1/2 at the target share and less above it', () => {
    expect(fairShareFactor(0, 0.25)).toBe(1);
    expect(fairShareFactor(0.25, 0.25)).toBeCloseTo(0.5, 12);
    expect(fairShareFactor(0.5, 0.25)).toBeCloseTo(0.25, 12);
    expect(fairShareFactor(0.1, 0)).toBe(0);
  });

  it('inverts the age factor', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e4, noNaN: true }), (f) => {
        expect(ageFactor(ageForFactor(f, 1000), 1000)).toBeCloseTo(f, 6);
      }),
    );
  });

  it('grows the age factor without bound, and faster and faster beyond max_age', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        (x, d) => {
          const M = 1000;
          const a = ageFactor(x * M, M);
          const b = ageFactor((x + d) * M, M);
          const c = ageFactor((x + 2 * d) * M, M);
          expect(b).toBeGreaterThan(a);
          // Convex: equal steps of waiting never gain less than the previous one.
          expect(c - b).toBeGreaterThanOrEqual(b - a - 1e-9 * c);
        },
      ),
    );
  });
});
