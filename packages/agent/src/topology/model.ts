/**
 * The host topology model (sockets, NUMA nodes, physical cores and their hyperthreads) and its
 * one assembly step, shared by the sysfs and hwloc readers so both produce the same shape from
 * the same facts and enforce the same rules: every online CPU sits in exactly one node, and the
 * threads of a core never straddle two nodes.
 */
import { GodError } from '@god/core';

/** One physical core. */
export interface TopologyCore {
  /** The core's first (lowest-numbered) online CPU: unique on the host, unlike sysfs' core_id. */
  id: number;
  /** Physical package (socket) id. */
  socket: number;
  /** Every online CPU of the core (its hyperthreads), sorted; includes `id`. */
  threads: number[];
}

/** One NUMA node: its CPUs, memory and cores. */
export interface TopologyNode {
  id: number;
  /** Online CPUs of the node, sorted (empty for a memory-only node). */
  cpus: number[];
  memBytes: number;
  /** Cores whose threads are in this node, sorted by id. */
  cores: TopologyCore[];
}

/** A host's CPU and memory layout. */
export interface Topology {
  /** Number of distinct physical packages. */
  sockets: number;
  /** NUMA nodes sorted by id. */
  nodes: TopologyNode[];
}

/** One online CPU as a reader found it. */
export interface CpuFact {
  cpu: number;
  socket: number;
  /** The CPUs sharing its core (including itself); only online ones are kept. */
  threads: readonly number[];
}

/** One NUMA node as a reader found it. */
export interface NodeFact {
  id: number;
  cpus: readonly number[];
  memBytes: number;
}

function fail(source: string, message: string): never {
  throw new GodError('INVALID_INPUT', `host topology from ${source}: ${message}`);
}

/** Which node each online CPU belongs to; refuses a CPU in two nodes or in none. */
function nodeOfCpu(cpus: readonly CpuFact[], nodes: readonly NodeFact[], source: string) {
  const online = new Set(cpus.map((c) => c.cpu));
  const nodeOf = new Map<number, number>();
  for (const node of nodes) {
    for (const cpu of node.cpus) {
      if (!online.has(cpu)) continue;
      const other = nodeOf.get(cpu);
      if (other !== undefined) fail(source, `cpu ${cpu} is in node ${other} and node ${node.id}`);
      nodeOf.set(cpu, node.id);
    }
  }
  for (const cpu of online) {
    if (!nodeOf.has(cpu)) fail(source, `online cpu ${cpu} is in no NUMA node`);
  }
  return nodeOf;
}

/** Builds the Topology from per-CPU and per-node facts, checking that they agree. */
export function assembleTopology(
  cpus: readonly CpuFact[],
  nodes: readonly NodeFact[],
  source: string,
): Topology {
  if (cpus.length === 0) fail(source, 'no online cpu');
  const online = new Set(cpus.map((c) => c.cpu));
  const nodeOf = nodeOfCpu(cpus, nodes, source);
  const cores = new Map<number, TopologyCore>();
  for (const fact of cpus) {
    const threads = [...new Set([fact.cpu, ...fact.threads.filter((t) => online.has(t))])].sort(
      (a, b) => a - b,
    );
    const id = threads[0] as number;
    const known = cores.get(id);
    if (known === undefined) cores.set(id, { id, socket: fact.socket, threads });
    else if (known.threads.join() !== threads.join())
      fail(source, `cpus ${known.threads.join()} and ${threads.join()} disagree on their core`);
  }
  const coresByNode = new Map<number, TopologyCore[]>();
  for (const core of cores.values()) {
    const nodeIds = new Set(core.threads.map((t) => nodeOf.get(t)));
    if (nodeIds.size > 1) fail(source, `the threads of core ${core.id} are in several nodes`);
    const nodeId = nodeOf.get(core.id) as number;
    coresByNode.set(nodeId, [...(coresByNode.get(nodeId) ?? []), core]);
  }
  return {
    sockets: new Set([...cores.values()].map((c) => c.socket)).size,
    nodes: [...nodes]
      .sort((a, b) => a.id - b.id)
      .map((n) => ({
        id: n.id,
        cpus: n.cpus.filter((c) => online.has(c)).sort((a, b) => a - b),
        memBytes: n.memBytes,
        cores: (coresByNode.get(n.id) ?? []).sort((a, b) => a.id - b.id),
      })),
  };
}
