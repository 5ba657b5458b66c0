/**
 * Property test of EASY backfill: on random clusters with random running jobs, whatever a pass
 * places after its head job took a reservation, the head's reservation is never pushed later.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCluster } from './cluster.js';
import { hostArb, requestArb, smallArb, toHosts, toRequest } from './test-arbitraries.js';

const T0 = Date.UTC(2025, 0, 1);

describe('EASY backfill property', () => {
  it('never lets a backfilled job delay the head job of a pass', () => {
    const filler = fc.record({ req: requestArb, minutesAgo: fc.nat({ max: 120 }) });
    // Counts of the cases that matter, so the property cannot pass by never meeting them.
    const stats = { heads: 0, besideHead: 0, heldBack: 0 };
    fc.assert(
      fc.property(
        fc.array(hostArb, { minLength: 1, maxLength: 3 }),
        fc.array(filler, { minLength: 5, maxLength: 40 }),
        requestArb,
        fc.array(smallArb, { maxLength: 30 }),
        (specs, fill, headSpec, candidates) => {
          const hosts = toHosts(specs);
          const cluster = createCluster(hosts, { defaultMaxLifespan: 7200 });
          // Running jobs with various start times, hence various expected ends.
          for (const f of fill)
            cluster.beginPass(T0 - f.minutesAgo * 60_000).consider(toRequest(f.req));
          // The head: any job bob could run on an idle cluster that does not fit now.
          const cores = Math.max(...hosts.flatMap((h) => h.shards.map((x) => x.cores.length)));
          const spec = {
            ...headSpec,
            cpu: Math.min(headSpec.cpu, cores),
            user: 'bob' as const,
            zone: null,
          };
          const head = toRequest(spec);
          const pass = cluster.beginPass(T0);
          const first = pass.consider(head);
          if (first.ok || first.never === true) return;
          const reserved = pass.reservation();
          expect(reserved).not.toBeNull();
          stats.heads += 1;
          for (const c of candidates) {
            const r = pass.consider(toRequest(c));
            if (r.ok && r.placement.host === reserved!.host) stats.besideHead += 1;
            if (!r.ok && r.code === 'PRIORITY') stats.heldBack += 1;
          }
          const again = cluster.beginPass(T0);
          // Placed now (a group rule changed in its favour) or reserved no later than before.
          if (!again.consider(head).ok) {
            expect(again.reservation()!.startAt).toBeLessThanOrEqual(reserved!.startAt);
          }
        },
      ),
      { numRuns: 1000 },
    );
    expect(stats.heads).toBeGreaterThan(150);
    expect(stats.besideHead).toBeGreaterThan(50);
    expect(stats.heldBack).toBeGreaterThan(25);
  });
});
