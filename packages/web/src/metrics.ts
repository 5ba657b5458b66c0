/**
 * Prometheus metrics (prom-client) served at `/metrics`. Cluster figures are read at scrape
 * time from where they are true: job counts per state from the store, scheduling decisions from
 * the counters the scheduler leader keeps in Redis (so `rate(god_scheduler_decisions_total[1m])`
 * is decisions/s whichever scheduler leads), live hosts from the node registry. Request figures
 * are this web process's own.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ACTIVE_STATES } from '@god/core';
import type { Keys, NodeRegistry, Redis } from '@god/coord';
import type { Store } from '@god/store';

/** What the web records and exposes. */
export interface Metrics {
  readonly registry: Registry;
  /** Counts one answered request. */
  request(method: string, route: string, status: number, seconds: number): void;
  /** Counts accepted jobs. */
  submitted(n: number): void;
}

/** Creates the metrics of one web process. */
// eslint-disable-next-line max-lines-per-function -- the metric definitions, one short block each
export function createMetrics(deps: {
  store: Store;
  redis: Redis;
  keys: Keys;
  nodes: NodeRegistry;
  hostTimeoutMs: number;
  liveClients: () => number;
}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'god_web_' });
  const requests = new Counter({
    name: 'god_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'god_http_request_duration_seconds',
    help: 'HTTP request durations, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const submitted = new Counter({
    name: 'god_jobs_submitted_total',
    help: 'jobs accepted by this web process',
    registers: [registry],
  });
  new Gauge({
    name: 'god_jobs',
    help: 'active jobs per state (from the store)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await deps.store.countActive();
      for (const state of ACTIVE_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'god_queue_depth',
    help: 'pending jobs waiting for the scheduler',
    registers: [registry],
    async collect() {
      this.set((await deps.store.countActive())['pending'] ?? 0);
    },
  });
  new Gauge({
    name: 'god_running_jobs',
    help: 'jobs running now',
    registers: [registry],
    async collect() {
      this.set((await deps.store.countActive())['running'] ?? 0);
    },
  });
  new Counter({
    name: 'god_scheduler_decisions_total',
    help: 'placements committed by the scheduler leaders (rate() gives decisions/s)',
    registers: [registry],
    async collect() {
      const n = Number((await deps.redis.hget(deps.keys.schedulerStats(), 'decisions')) ?? 0);
      this.reset();
      this.inc(n);
    },
  });
  new Gauge({
    name: 'god_hosts_alive',
    help: 'agent hosts with a fresh heartbeat',
    registers: [registry],
    async collect() {
      this.set((await deps.nodes.alive(deps.hostTimeoutMs)).length);
    },
  });
  new Gauge({
    name: 'god_live_clients',
    help: 'clients following live events on this web process',
    registers: [registry],
    collect() {
      this.set(deps.liveClients());
    },
  });
  return {
    registry,
    request(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
    submitted: (n) => submitted.inc(n),
  };
}
