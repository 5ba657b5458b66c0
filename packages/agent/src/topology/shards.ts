/**
 * From a host's Topology to the executor shards it registers (`ShardInfo`), and from a
 * placement's cores back to a container cpuset.
 *
 * By default each NUMA node with cores is one shard `numa<N>`: its memory node, one core id per
 * physical core (the core's first thread; the scheduler hands out whole cores and the container
 * cpuset then carries every hyperthread of them, see `cpusetFor`), and its memory.
 *
 * Settings (`TopologySettingsSchema`, snake_case like the rest of god.yaml):
 * - `reserve_ram_gb`: memory kept for the system, taken from the nodes in proportion to their
 *   size; each shard's RAM is then floored to 0.1 GB.
 * - `reserve_cores`: cores kept for the system, the lowest-numbered cores of the first node
 *   (core 0 upwards). CPU 0 is the boot CPU: it cannot be offlined on most kernels and keeps
 *   kernel housekeeping (unmovable interrupts, timers), so it is the core jobs lose the most
 *   on; the usual isolcpus / nohz_full setups leave the same cores to the system.
 * - `shards`: explicit core groups (`{id, cores: "0-3"}`) replacing the per-node shards. `cores`
 *   lists CPUs; a listed CPU brings its whole core. A group must sit inside one NUMA node; the
 *   node's memory is shared between its groups in proportion to their cores; cores in no group
 *   are left to the system (so `reserve_cores` cannot be combined with groups).
 * - `gpus`: `{index, numa_node, shard?}`, attached to the shard of that node (the named one, or
 *   the first one on that node).
 *
 * Every problem is reported at once, each naming its field (`shards[1].cores`).
 */
import { z } from 'zod';
import {
  GodError,
  ValidationError,
  parseOrThrow,
  type FieldIssue,
  type ShardInfo,
} from '@god/core';
import { formatCpuset, parseCpuset } from './cpuset.js';
import type { Topology, TopologyCore, TopologyNode } from './model.js';

const GIB = 1024 ** 3;

/** The host's shard settings. */
export const TopologySettingsSchema = z.strictObject({
  /** GB of RAM kept for the system, split across nodes in proportion to their memory. */
  reserve_ram_gb: z.number().min(0).default(0),
  /** Cores kept for the system: the lowest-numbered cores of the first node. */
  reserve_cores: z.number().int().min(0).default(0),
  /** Explicit core groups, each inside one NUMA node, replacing the one-shard-per-node default. */
  shards: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, _ and - only'),
        cores: z.union([z.string().min(1), z.number().int().min(0)]),
      }),
    )
    .default([]),
  /** GPUs and the NUMA node each is attached to (as `nvidia-smi topo -m` shows). */
  gpus: z
    .array(
      z.strictObject({
        index: z.number().int().min(0),
        numa_node: z.number().int().min(0),
        /** The shard to attach it to when its node has several (core groups). */
        shard: z.string().min(1).optional(),
      }),
    )
    .default([]),
});

/** Settings as written in the configuration (defaults not applied yet). */
export type TopologySettingsInput = z.input<typeof TopologySettingsSchema>;
/** Settings with their defaults. */
export type TopologySettings = z.output<typeof TopologySettingsSchema>;

/** A shard being built, with the node it sits on. */
interface Draft {
  info: ShardInfo;
  node: number;
}

/** `gb` floored to 0.1 GB, never negative (the epsilon absorbs binary fractions like 2.9999). */
function floorTenth(gb: number): number {
  return Math.max(0, Math.floor(gb * 10 + 1e-9) / 10);
}

/** GB left for jobs on each node once `reserve` GB are taken in proportion to node memory. */
function availableRam(nodes: readonly TopologyNode[], reserve: number, issues: FieldIssue[]) {
  const totalGB = nodes.reduce((sum, n) => sum + n.memBytes, 0) / GIB;
  if (reserve > 0 && reserve >= totalGB) {
    const has = floorTenth(totalGB);
    issues.push({ path: 'reserve_ram_gb', message: `leaves no memory for jobs (${has} GB)` });
  }
  const avail = new Map<number, number>();
  for (const n of nodes) {
    const gb = n.memBytes / GIB;
    avail.set(n.id, totalGB === 0 ? 0 : gb - (reserve * gb) / totalGB);
  }
  return avail;
}

function defaultShards(
  nodes: readonly TopologyNode[],
  avail: ReadonlyMap<number, number>,
  reserveCores: number,
  issues: FieldIssue[],
): Draft[] {
  const first = nodes[0];
  const reserved = new Set<number>();
  if (first !== undefined && reserveCores > 0) {
    if (reserveCores >= first.cores.length) {
      issues.push({
        path: 'reserve_cores',
        message: `must leave a core on NUMA node ${first.id}, which has ${first.cores.length}`,
      });
    }
    for (const core of first.cores.slice(0, reserveCores)) reserved.add(core.id);
  }
  return nodes.map((n) => ({
    node: n.id,
    info: {
      id: `numa${n.id}`,
      mems: String(n.id),
      cores: n.cores.map((c) => c.id).filter((id) => !reserved.has(id)),
      ramGB: floorTenth(avail.get(n.id) ?? 0),
      gpus: [],
    },
  }));
}

/** The message for a group whose CPUs lie on several nodes: which CPUs are on which node. */
function spanMessage(byNode: ReadonlyMap<number, number[]>): string {
  const parts = [...byNode].map(([node, cpus]) => `${node} (cpus ${formatCpuset(cpus)})`);
  return `spans NUMA nodes ${parts.join(' and ')}: a shard must sit inside one node`;
}

/** Which core and node each online CPU belongs to. */
type CoreIndex = ReadonlyMap<number, { core: TopologyCore; node: number }>;

function indexCores(topology: Topology): CoreIndex {
  const index = new Map<number, { core: TopologyCore; node: number }>();
  for (const node of topology.nodes)
    for (const core of node.cores)
      for (const t of core.threads) index.set(t, { core, node: node.id });
  return index;
}

/**
 * The node and cores of one group's cpu list, recording its problems (unreadable, empty,
 * unknown cpus, several nodes) under `path`; null when nothing usable could be read.
 */
function groupCores(
  list: string,
  path: string,
  index: CoreIndex,
  issues: FieldIssue[],
): { node: number; cores: number[] } | null {
  let cpus: number[];
  try {
    cpus = parseCpuset(list, path);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push(...err.issues);
    return null;
  }
  if (cpus.length === 0) issues.push({ path, message: 'lists no cpu' });
  const unknown = cpus.filter((c) => !index.has(c));
  if (unknown.length > 0) {
    const list = formatCpuset(unknown);
    issues.push({ path, message: `cpus ${list} are not online cpus of this host` });
    return null;
  }
  const byNode = new Map<number, number[]>();
  const cores = new Set<number>();
  for (const c of cpus) {
    const { node, core } = index.get(c) as { core: TopologyCore; node: number };
    byNode.set(node, [...(byNode.get(node) ?? []), c]);
    cores.add(core.id);
  }
  if (byNode.size > 1) issues.push({ path, message: spanMessage(byNode) });
  const node = [...byNode.keys()][0] ?? 0;
  return { node, cores: [...cores].sort((a, b) => a - b) };
}

function groupShards(
  topology: Topology,
  avail: ReadonlyMap<number, number>,
  settings: TopologySettings,
  issues: FieldIssue[],
): Draft[] {
  if (settings.reserve_cores > 0) {
    issues.push({
      path: 'reserve_cores',
      message: 'cannot be combined with shards: cores in no shard are already left to the system',
    });
  }
  const index = indexCores(topology);
  const owner = new Map<number, number>();
  const ids = new Set<string>();
  const drafts: Draft[] = [];
  settings.shards.forEach((group, i) => {
    if (ids.has(group.id)) issues.push({ path: `shards[${i}].id`, message: 'duplicate shard id' });
    ids.add(group.id);
    const path = `shards[${i}].cores`;
    const found = groupCores(String(group.cores), path, index, issues);
    if (found === null) return;
    for (const core of found.cores) {
      const other = owner.get(core);
      if (other !== undefined)
        issues.push({ path, message: `core ${core} is already in shards[${other}]` });
      else owner.set(core, i);
    }
    const { node, cores } = found;
    drafts.push({ node, info: { id: group.id, mems: String(node), cores, ramGB: 0, gpus: [] } });
  });
  // The node's memory is shared between its groups in proportion to their cores.
  for (const d of drafts) {
    const sameNode = drafts.filter((o) => o.node === d.node);
    const nodeCores = sameNode.reduce((sum, o) => sum + o.info.cores.length, 0);
    const share = nodeCores === 0 ? 0 : d.info.cores.length / nodeCores;
    d.info.ramGB = floorTenth((avail.get(d.node) ?? 0) * share);
  }
  return drafts;
}

function attachGpus(
  drafts: readonly Draft[],
  gpus: TopologySettings['gpus'],
  issues: FieldIssue[],
) {
  const seen = new Set<number>();
  gpus.forEach((gpu, i) => {
    if (seen.has(gpu.index))
      issues.push({ path: `gpus[${i}].index`, message: 'duplicate GPU index' });
    seen.add(gpu.index);
    const onNode = drafts.filter((d) => d.node === gpu.numa_node);
    const target =
      gpu.shard === undefined ? onNode[0] : onNode.find((d) => d.info.id === gpu.shard);
    if (target !== undefined) {
      target.info.gpus.push(gpu.index);
    } else if (gpu.shard !== undefined) {
      issues.push({
        path: `gpus[${i}].shard`,
        message: `no shard ${gpu.shard} on NUMA node ${gpu.numa_node}`,
      });
    } else {
      const nodes = [...new Set(drafts.map((d) => d.node))].join(', ');
      issues.push({
        path: `gpus[${i}].numa_node`,
        message: `no shard on NUMA node ${gpu.numa_node} (shards are on nodes ${nodes})`,
      });
    }
  });
  for (const d of drafts) d.info.gpus.sort((a, b) => a - b);
}

/**
 * The shards of a host. Throws a ValidationError (`INVALID_CONFIG`) naming every bad setting.
 * Nodes without cores (memory-only) give no shard.
 */
export function shardsFor(topology: Topology, input: TopologySettingsInput = {}): ShardInfo[] {
  const settings = parseOrThrow(
    TopologySettingsSchema,
    input,
    'topology settings',
    'INVALID_CONFIG',
  );
  const issues: FieldIssue[] = [];
  const nodes = topology.nodes.filter((n) => n.cores.length > 0);
  const avail = availableRam(nodes, settings.reserve_ram_gb, issues);
  const drafts =
    settings.shards.length === 0
      ? defaultShards(nodes, avail, settings.reserve_cores, issues)
      : groupShards(topology, avail, settings, issues);
  attachGpus(drafts, settings.gpus, issues);
  if (issues.length > 0) throw new ValidationError('topology settings', issues, 'INVALID_CONFIG');
  return drafts.map((d) => d.info);
}

/**
 * The `--cpuset-cpus` of a placement: the given core ids (a list or a cpuset string such as
 * `Placement.cpus`) with every hyperthread of each core. Throws on an id that is not a core.
 */
export function cpusetFor(topology: Topology, coreIds: readonly number[] | string): string {
  const ids = typeof coreIds === 'string' ? parseCpuset(coreIds, 'cores') : coreIds;
  const cores = new Map<number, TopologyCore>();
  for (const node of topology.nodes) for (const core of node.cores) cores.set(core.id, core);
  const cpus: number[] = [];
  for (const id of ids) {
    const core = cores.get(id);
    if (core === undefined) {
      throw new GodError(
        'INVALID_INPUT',
        `core ${id} is not a core of this host (a core's id is its first cpu)`,
      );
    }
    cpus.push(...core.threads);
  }
  return formatCpuset(cpus);
}
