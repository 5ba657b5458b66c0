/** fast-check arbitraries for placement property tests: small random clusters and requests. */
import type { HostInfo } from '@god/core';
import fc from 'fast-check';
import type { PlacementRequest } from './types.js';

/** The value type an arbitrary generates. */
export type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

const shardArb = fc.record({
  cores: fc.integer({ min: 1, max: 6 }),
  halfGB: fc.integer({ min: 1, max: 32 }),
  gpus: fc.integer({ min: 0, max: 2 }),
});
/** A host: 1-3 shards, maybe a small port pool, a zone label, maybe reserved for bob. */
export const hostArb = fc.record({
  shards: fc.array(shardArb, { minLength: 1, maxLength: 3 }),
  ports: fc.option(fc.integer({ min: 0, max: 3 })),
  zone: fc.constantFrom('a', 'b'),
  forBob: fc.boolean(),
});

/** Hosts h0.. with core and GPU ids numbered across the host, as an agent reports them. */
export function toHosts(specs: ValueOf<typeof hostArb>[]): HostInfo[] {
  return specs.map((spec, h) => {
    let core = 0;
    let gpu = 0;
    return {
      name: `h${h}`,
      labels: { zone: spec.zone },
      reservedFor: spec.forBob ? { users: ['bob'], projects: [] } : null,
      portRange: spec.ports === null ? null : [20000, 20000 + spec.ports],
      shards: spec.shards.map((s, i) => ({
        id: `numa${i}`,
        mems: `${i}`,
        cores: Array.from({ length: s.cores }, () => core++),
        ramGB: s.halfGB / 2,
        gpus: Array.from({ length: s.gpus }, () => gpu++),
      })),
    };
  });
}

/** Requests up to these sizes, from alice or bob, with or without a zone and a group. */
const requestsUpTo = (cpu: number, halfGB: number, gpus: number, ports: number) =>
  fc.record({
    cpu: fc.integer({ min: 1, max: cpu }),
    halfGB: fc.integer({ min: 1, max: halfGB }),
    gpus: fc.integer({ min: 0, max: gpus }),
    ports: fc.integer({ min: 0, max: ports }),
    user: fc.constantFrom('alice', 'bob'),
    zone: fc.option(fc.constantFrom('a', 'b')),
    group: fc.option(
      fc.record({
        name: fc.constantFrom('g1', 'g2'),
        policy: fc.constantFrom('affinity' as const, 'anti-affinity' as const),
      }),
    ),
    halfHours: fc.integer({ min: 0, max: 4 }),
  });
/** Requests of any size the random hosts could hold. */
export const requestArb = requestsUpTo(6, 24, 2, 2);
/** Small jobs, the kind that backfills. */
export const smallArb = requestsUpTo(2, 6, 1, 1);

let nextId = 1;
/** A request with a fresh id. */
export function toRequest(r: ValueOf<typeof requestArb>): PlacementRequest {
  return {
    id: nextId++,
    user: r.user,
    project: 'p',
    cpu: r.cpu,
    ram: (r.halfGB / 2) * 2 ** 30,
    gpus: r.gpus,
    ports: Array.from({ length: r.ports }, (_, i) => 8000 + i),
    label: r.zone === null ? [] : [`zone==${r.zone}`],
    group: r.group,
    maxlifespan: r.halfHours * 1800,
  };
}
