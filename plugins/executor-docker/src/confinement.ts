/**
 * Resource confinement, checked on the final create options like `assertSafe`: a container
 * without a memory limit, with swap beyond it, or with CPUs or memory nodes other than exactly
 * its placement's is never created, whatever built the options (Docker reads a Memory of 0 as
 * "no limit at all"). It refuses; it does not repair.
 */
import { GodError, MIN_RAM_BYTES, cpusetOrProblem, type Job, type Placement } from '@god/core';
import type { ContainerCreateOptions } from 'dockerode';

/** The limits a job's container must have, exactly. */
export interface Confinement {
  /** Memory limit in bytes (swap included: MemorySwap equals it). */
  memoryBytes: number;
  /** The CPUs of the placed cores (with their hyperthreads), as ids. */
  cpus: readonly number[];
  /** The placement's memory nodes, as ids. */
  mems: readonly number[];
}

const refuse = (why: string): never => {
  throw new GodError('INVALID_INPUT', `container refused: ${why}`);
};

/** Distinct sorted ids of a cpuset list, refusing a bad or empty one. */
function ids(list: unknown, what: string): number[] {
  if (typeof list !== 'string') return refuse(`no ${what}`);
  const r = cpusetOrProblem(list);
  if (typeof r === 'string') return refuse(`${what}: ${r}`);
  if (r.length === 0) return refuse(`an empty ${what}`);
  return r;
}

/**
 * What `job`'s container must be held to: its RAM in bytes (an integer of at least
 * MIN_RAM_BYTES) and its placement's cores, which must be as many as it asked for.
 * `cpuset` expands placed cores to the CPUs the host gives them (hyperthreads).
 */
export function confinementOf(
  job: Job,
  placement: Placement,
  cpuset: (cores: string) => string,
): Confinement {
  const ram = job.requirements.ram;
  if (!Number.isSafeInteger(ram) || ram < MIN_RAM_BYTES)
    refuse(`memory limit of ${ram} bytes (at least ${MIN_RAM_BYTES} are needed)`);
  const cores = ids(placement.cpus, 'placed core set');
  if (cores.length !== job.requirements.cpu)
    refuse(`placement gives ${cores.length} cores to a job of ${job.requirements.cpu}`);
  return {
    memoryBytes: ram,
    cpus: ids(cpuset(placement.cpus), 'CPU set'),
    mems: ids(placement.mems, 'memory node set'),
  };
}

/**
 * Throws a non-retryable GodError unless `options` limit memory to exactly `c.memoryBytes`
 * with no swap beyond it and pin the container to exactly `c.cpus` and `c.mems`.
 */
export function assertConfined(options: ContainerCreateOptions, c: Confinement): void {
  const hc = options.HostConfig ?? {};
  const memory = hc.Memory;
  if (memory === undefined || !Number.isSafeInteger(memory) || memory < MIN_RAM_BYTES)
    refuse(`no memory limit (Memory ${String(memory)})`);
  if (memory !== c.memoryBytes)
    refuse(`memory limit ${memory} is not the job's ${c.memoryBytes} bytes`);
  if (hc.MemorySwap !== memory) refuse(`swap beyond the memory limit (${hc.MemorySwap})`);
  if (!sameIds(ids(hc.CpusetCpus, 'CPU set'), c.cpus))
    refuse(`CPU set ${String(hc.CpusetCpus)} is not the placement's`);
  if (!sameIds(ids(hc.CpusetMems, 'memory node set'), c.mems))
    refuse(`memory nodes ${String(hc.CpusetMems)} are not the placement's`);
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
