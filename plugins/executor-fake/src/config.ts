/**
 * The fake executor's configuration: its simulated cluster (hosts listed, or generated from a
 * shape) and how jobs run on it (run time, failures, start latency).
 */
import { DELEGATED_LABEL, DELEGATED_SHARD, type HostInfo, type ShardInfo } from '@god/core';
import { z } from 'zod';

const hostName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');
const index = z.number().int().min(0);
const port = z.number().int().min(1).max(65535);
const labels = z.record(z.string(), z.string()).default({});

const ShardSchema = z.strictObject({
  id: z.string().min(1),
  mems: z.string().min(1).default('0'),
  cores: z.array(index).min(1),
  ramGB: z.number().positive(),
  gpus: z.array(index).default([]),
});

const portRange = z
  .tuple([port, port])
  .refine(([low, high]) => low <= high, 'the first port must not be above the last');

const HostSchema = z.strictObject({
  name: hostName,
  labels,
  shards: z
    .array(ShardSchema)
    .min(1)
    .refine((shards) => unique(shards.map((s) => s.id)), 'shard ids must be unique'),
  reservedFor: z
    .strictObject({
      users: z.array(z.string()).default([]),
      projects: z.array(z.string()).default([]),
    })
    .nullable()
    .default(null),
  portRange: portRange.nullable().default(null),
});

const HostListSchema = z
  .array(HostSchema)
  .min(1)
  .refine((hosts) => unique(hosts.map((h) => h.name)), 'host names must be unique');

/** The shape of a generated cluster: `count` identical hosts named `<namePrefix><n>` (n from 1). */
const GeneratedHostsSchema = z.strictObject({
  count: z.number().int().min(1).default(1),
  shardsPerHost: z.number().int().min(1).default(1),
  coresPerShard: z.number().int().min(1).default(4),
  ramPerShardGB: z.number().positive().default(16),
  gpusPerShard: z.number().int().min(0).default(0),
  labels,
  namePrefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/)
    .default('fake-'),
  portRange: portRange.nullable().default([20000, 29999]),
});

/** The fake executor's config section (strict; every key has a default). */
export const FakeExecutorConfigSchema = z.strictObject({
  /** Hosts listed one by one (HostInfo objects), or the shape of identical generated hosts. */
  hosts: z.union([HostListSchema, GeneratedHostsSchema]).prefault({}),
  /** Run time of a job without `FAKE_RUNTIME_MS`; 0 ends it on the next timer tick. */
  runtime_ms: z.number().int().min(0).default(0),
  /** Share of jobs (without `FAKE_EXIT_CODE`) that exit with `failure_exit_code`. */
  failure_rate: z.number().min(0).max(1).default(0),
  /** Exit code of the jobs picked by `failure_rate`. */
  failure_exit_code: z.number().int().min(1).max(255).default(1),
  /** Seed of the draw behind `failure_rate`: same seed, same jobs fail. */
  seed: z.number().int().default(1),
  /** How long `start()` takes before it resolves. */
  start_latency_ms: z.number().int().min(0).default(0),
  /**
   * Set: the fake places jobs itself (an orchestrator's stand-in): `hosts` is ignored, it
   * registers one entry `fake` declaring this capacity, and god chooses no cores for its jobs.
   */
  delegated: z
    .strictObject({
      cores: z.number().int().min(1),
      ram_gb: z.number().positive(),
      gpus: z.number().int().min(0).default(0),
    })
    .nullable()
    .default(null),
});

/** The resolved fake executor config. */
export type FakeExecutorConfig = z.output<typeof FakeExecutorConfigSchema>;

/** The shape of generated hosts, as resolved. */
export type GeneratedHosts = z.output<typeof GeneratedHostsSchema>;

/** The hosts of a config: the listed ones, or `count` generated ones with global core ids. */
export function buildHosts(hosts: FakeExecutorConfig['hosts']): HostInfo[] {
  if (Array.isArray(hosts)) return hosts.map((h) => structuredClone(h));
  const out: HostInfo[] = [];
  for (let n = 1; n <= hosts.count; n++) {
    const shards: ShardInfo[] = [];
    for (let s = 0; s < hosts.shardsPerHost; s++) {
      shards.push({
        id: `numa${s}`,
        mems: String(s),
        cores: range(s * hosts.coresPerShard, hosts.coresPerShard),
        ramGB: hosts.ramPerShardGB,
        gpus: range(s * hosts.gpusPerShard, hosts.gpusPerShard),
      });
    }
    out.push({
      name: `${hosts.namePrefix}${n}`,
      labels: { ...hosts.labels },
      shards,
      reservedFor: null,
      portRange: hosts.portRange === null ? null : [hosts.portRange[0], hosts.portRange[1]],
    });
  }
  return out;
}

/** The one registry entry of a delegating fake: its name, the label, its declared capacity. */
export function delegatedHost(
  name: string,
  capacity: NonNullable<FakeExecutorConfig['delegated']>,
): HostInfo {
  const shard: ShardInfo = {
    id: DELEGATED_SHARD,
    mems: '0',
    cores: range(0, capacity.cores),
    ramGB: capacity.ram_gb,
    gpus: range(0, capacity.gpus),
  };
  return {
    name,
    labels: { [DELEGATED_LABEL]: 'true' },
    shards: [shard],
    reservedFor: null,
    portRange: null,
  };
}

function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

function unique(values: string[]): boolean {
  return new Set(values).size === values.length;
}
