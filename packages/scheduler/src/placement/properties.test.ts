/**
 * Property tests: for random clusters and random sequences of requests, releases, passes and
 * host changes, no resource is ever given twice or beyond capacity, every job sits in one shard,
 * and release gives back exactly what was taken.
 */
import type { HostInfo, Placement } from '@god/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from './cluster.js';
import { parseCpuset } from './cpuset.js';
import { hostArb, requestArb, toHosts, toRequest, type ValueOf } from './test-arbitraries.js';
import type { FreeSummary, PlacementRequest, SchedulingPass } from './types.js';

const T0 = Date.UTC(2025, 0, 1);

const opArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('place' as const), req: requestArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('roundtrip' as const), req: requestArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('pass' as const), minutes: fc.nat({ max: 90 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hosts' as const), keep: fc.nat() }) },
);

const ids = (list: string) => parseCpuset(list) as number[];

/** Checks every live placement against the hosts and the requests, and the free counts. */
function checkInvariants(cluster: Cluster, hosts: HostInfo[], reqs: Map<number, PlacementRequest>) {
  const byHost = new Map(hosts.map((h) => [h.name, h]));
  const used = new Map<string, { cores: number[]; gpus: number[]; ram: number }>();
  const ports = new Map<string, number[]>();
  for (const [id, p] of cluster.placements()) {
    const req = reqs.get(id)!;
    const host = byHost.get(p.host)!;
    const shard = host.shards.find((s) => s.id === p.shard)!;
    expect(shard.mems).toBe(p.mems);
    expect(ids(p.cpus)).toHaveLength(req.cpu);
    expect(p.gpus).toHaveLength(req.gpus);
    expect(p.ports).toHaveLength(req.ports.length);
    for (const c of ids(p.cpus)) expect(shard.cores).toContain(c);
    for (const g of p.gpus) expect(shard.gpus).toContain(g);
    for (const port of p.ports) expect(port).toBeGreaterThanOrEqual(host.portRange![0]);
    for (const port of p.ports) expect(port).toBeLessThanOrEqual(host.portRange![1]);
    for (const [name, value] of req.label.map((l) => l.split('=='))) {
      expect(host.labels[name!]).toBe(value);
    }
    if (host.reservedFor !== null) expect(host.reservedFor.users).toContain(req.user);
    const key = `${p.host}/${p.shard}`;
    const u = used.get(key) ?? { cores: [], gpus: [], ram: 0 };
    used.set(key, {
      cores: [...u.cores, ...ids(p.cpus)],
      gpus: [...u.gpus, ...p.gpus],
      ram: u.ram + req.ram / 2 ** 30,
    });
    ports.set(p.host, [...(ports.get(p.host) ?? []), ...p.ports]);
  }
  for (const list of ports.values()) expect(new Set(list).size).toBe(list.length);
  for (const h of cluster.free().hosts) {
    for (const s of h.shards) {
      const info = byHost.get(h.name)!.shards.find((x) => x.id === s.id)!;
      const u = used.get(`${h.name}/${s.id}`) ?? { cores: [], gpus: [], ram: 0 };
      expect(new Set(u.cores).size).toBe(u.cores.length); // no core given twice
      expect(new Set(u.gpus).size).toBe(u.gpus.length);
      expect(u.ram).toBeLessThanOrEqual(info.ramGB);
      expect(s.cores).toEqual({
        total: info.cores.length,
        free: info.cores.length - u.cores.length,
      });
      expect(s.gpus).toEqual({ total: info.gpus.length, free: info.gpus.length - u.gpus.length });
      expect(s.ramGB).toEqual({ total: info.ramGB, free: info.ramGB - u.ram });
    }
  }
}

/** Group rules, judged against the jobs that held placements just before this one. */
function checkGroup(
  before: Map<number, Placement>,
  reqs: Map<number, PlacementRequest>,
  req: PlacementRequest,
  p: Placement,
) {
  if (req.group === null) return;
  const mates = [...before]
    .filter(
      ([id]) => reqs.get(id)!.user === req.user && reqs.get(id)!.group?.name === req.group!.name,
    )
    .map(([, q]) => q.host);
  if (req.group.policy === 'anti-affinity') expect(mates).not.toContain(p.host);
  else if (mates.length > 0) expect(mates).toContain(p.host);
}

type Op = ValueOf<typeof opArb>;

/** One random run: a cluster, the requests made so far, the current pass and its head job. */
class Run {
  readonly cluster: Cluster;
  readonly initial: FreeSummary;
  readonly reqs = new Map<number, PlacementRequest>();
  private hosts: HostInfo[];
  private now = T0;
  private pass: SchedulingPass;
  private head: { req: PlacementRequest; startAt: number } | null = null;

  constructor(private readonly all: HostInfo[]) {
    this.hosts = all;
    this.cluster = createCluster(all, { defaultMaxLifespan: 7200 });
    this.initial = this.cluster.free();
    this.pass = this.cluster.beginPass(this.now);
  }

  apply(op: Op): void {
    if (op.kind === 'place') this.consider(toRequest(op.req));
    if (op.kind === 'release') this.release(op.pick);
    if (op.kind === 'roundtrip') this.roundtrip(toRequest(op.req));
    if (op.kind === 'pass') this.nextPass(op.minutes);
    if (op.kind === 'hosts') this.changeHosts(op.keep);
    checkInvariants(this.cluster, this.hosts, this.reqs);
  }

  /** Every host back, every job released: the cluster is exactly as it started. */
  finish(): void {
    this.endPass();
    this.cluster.updateHosts(this.all);
    expect(this.cluster.stranded()).toEqual([]);
    for (const id of this.reqs.keys()) this.cluster.release(id);
    expect(this.cluster.free()).toEqual(this.initial);
  }

  private consider(req: PlacementRequest) {
    this.reqs.set(req.id, req);
    const before = this.cluster.placements();
    const r = this.pass.consider(req);
    if (r.ok) checkGroup(before, this.reqs, req, r.placement);
    const view = this.pass.reservation();
    if (this.head === null && view !== null) {
      this.head = { req: this.reqs.get(view.jobId)!, startAt: view.startAt };
    }
    return r;
  }

  private release(pick: number): void {
    const known = [...this.reqs.keys()].filter((id) => this.cluster.placementOf(id) !== null);
    const id = known[pick % Math.max(1, known.length)];
    if (id !== undefined) expect(this.cluster.release(id)).not.toBeNull();
  }

  /** Place then release at once: the placement comes back and the cluster is as before. */
  private roundtrip(req: PlacementRequest): void {
    const before = this.cluster.free();
    const r = this.consider(req);
    if (!r.ok) return;
    expect(this.cluster.release(req.id)).toEqual(r.placement);
    expect(this.cluster.free()).toEqual(before);
  }

  /** EASY: the head's reservation, computed again at the same time, is no later. */
  private endPass(): void {
    const head = this.head;
    this.head = null;
    if (head === null || this.cluster.placements().has(head.req.id)) return;
    const again = this.cluster.beginPass(this.now);
    const r = again.consider(head.req);
    if (r.ok) return checkGroup(new Map(), this.reqs, head.req, r.placement);
    expect(again.reservation()?.startAt ?? -Infinity).toBeLessThanOrEqual(head.startAt);
  }

  private nextPass(minutes: number): void {
    this.endPass();
    this.now += minutes * 60_000;
    this.pass = this.cluster.beginPass(this.now);
  }

  /** Keeps the hosts whose bit is set; jobs of the others are stranded, holding nothing. */
  private changeHosts(keep: number): void {
    this.head = null;
    this.hosts = this.all.filter((_, i) => ((keep >> i) & 1) === 1);
    this.cluster.updateHosts(this.hosts);
    const present = new Set(this.hosts.map((h) => h.name));
    for (const s of this.cluster.stranded()) expect(present.has(s.placement.host)).toBe(false);
    this.pass = this.cluster.beginPass(this.now);
  }
}

describe('placement properties', () => {
  it('never double-books or overcommits, keeps jobs in one shard, releases exactly', () => {
    fc.assert(
      fc.property(
        fc.array(hostArb, { minLength: 1, maxLength: 4 }),
        fc.array(opArb, { maxLength: 60 }),
        (specs, ops) => {
          const run = new Run(toHosts(specs));
          for (const op of ops) run.apply(op);
          run.finish();
        },
      ),
      { numRuns: 300 },
    );
  });
});
