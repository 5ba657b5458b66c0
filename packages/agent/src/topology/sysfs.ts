/**
 * Reads a Linux host's topology from sysfs. The root is a parameter so tests can point it at
 * snapshot trees (`fixtures/`), and only these files are read:
 *
 * - `devices/system/cpu/online`: the online CPUs;
 * - `devices/system/cpu/cpuN/topology/physical_package_id`, `core_id` and
 *   `thread_siblings_list` (or its newer name `core_cpus_list`): socket and hyperthreads;
 * - `devices/system/node/nodeN/cpulist` and `nodeN/meminfo` (`Node N MemTotal: X kB`).
 *
 * A kernel built without NUMA has no `devices/system/node`: the host is then one node 0 holding
 * every online CPU, with the memory of a `/proc/meminfo`-style file.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GodError } from '@god/core';
import { parseCpuset } from './cpuset.js';
import { assembleTopology, type CpuFact, type NodeFact, type Topology } from './model.js';

/** Where to read from. */
export interface SysfsOptions {
  /** The sysfs mount (`/sys` by default). */
  root?: string;
  /** A `/proc/meminfo`-style file, used when there is no NUMA node directory. */
  meminfo?: string;
}

/** A file's text, or null when it does not exist. */
async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function readRequired(path: string): Promise<string> {
  const text = await readOptional(path);
  if (text === null) throw new GodError('UNAVAILABLE', `host topology: ${path} does not exist`);
  return text;
}

/** An integer file (`physical_package_id`, `core_id`), or null when absent. */
async function readInt(path: string): Promise<number | null> {
  const text = await readOptional(path);
  if (text === null) return null;
  const n = Number(text.trim());
  if (!Number.isInteger(n))
    throw new GodError('INVALID_INPUT', `host topology: ${path} holds "${text.trim()}"`);
  return n;
}

/** `MemTotal` in bytes from a meminfo file (`Node 0 MemTotal: X kB` or `MemTotal: X kB`). */
export function memTotalBytes(text: string, path: string): number {
  const m = /^(?:Node\s+\d+\s+)?MemTotal:\s+(\d+)\s*kB\s*$/m.exec(text);
  if (m === null) throw new GodError('INVALID_INPUT', `host topology: no MemTotal in ${path}`);
  return Number(m[1]) * 1024;
}

interface RawCpu {
  cpu: number;
  socket: number;
  coreId: number | null;
  siblings: number[] | null;
}

async function readCpu(cpuDir: string, cpu: number): Promise<RawCpu> {
  const dir = join(cpuDir, `cpu${cpu}`, 'topology');
  const pkg = await readInt(join(dir, 'physical_package_id'));
  const coreId = await readInt(join(dir, 'core_id'));
  let siblingsPath = join(dir, 'thread_siblings_list');
  let siblings = await readOptional(siblingsPath);
  if (siblings === null) {
    siblingsPath = join(dir, 'core_cpus_list');
    siblings = await readOptional(siblingsPath);
  }
  return {
    cpu,
    // Some virtual machines and ARM boards report -1 (unknown): one package then.
    socket: pkg === null || pkg < 0 ? 0 : pkg,
    coreId: coreId === null || coreId < 0 ? null : coreId,
    siblings: siblings === null ? null : parseCpuset(siblings, siblingsPath),
  };
}

/**
 * The threads of each CPU: its sibling list when the kernel gives one; else the CPUs of the same
 * package with the same core_id; else the CPU alone.
 */
function cpuFacts(raw: readonly RawCpu[]): CpuFact[] {
  const byCoreId = new Map<string, number[]>();
  for (const r of raw) {
    if (r.siblings !== null || r.coreId === null) continue;
    const key = `${r.socket}:${r.coreId}`;
    byCoreId.set(key, [...(byCoreId.get(key) ?? []), r.cpu]);
  }
  return raw.map((r) => ({
    cpu: r.cpu,
    socket: r.socket,
    threads: r.siblings ?? byCoreId.get(`${r.socket}:${r.coreId}`) ?? [r.cpu],
  }));
}

async function readNodes(
  nodeDir: string,
  online: readonly number[],
  meminfo: string,
): Promise<NodeFact[]> {
  let entries: string[];
  try {
    entries = await readdir(nodeDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return [{ id: 0, cpus: online, memBytes: memTotalBytes(await readRequired(meminfo), meminfo) }];
  }
  const ids = entries.flatMap((e) => {
    const m = /^node(\d+)$/.exec(e);
    return m === null ? [] : [Number(m[1])];
  });
  return Promise.all(
    ids.map(async (id) => {
      const dir = join(nodeDir, `node${id}`);
      const cpulist = join(dir, 'cpulist');
      const meminfoPath = join(dir, 'meminfo');
      return {
        id,
        cpus: parseCpuset(await readRequired(cpulist), cpulist),
        memBytes: memTotalBytes(await readRequired(meminfoPath), meminfoPath),
      };
    }),
  );
}

/** Reads the topology under a sysfs root. Throws a GodError naming the file that is missing or bad. */
export async function readSysfsTopology(options: SysfsOptions = {}): Promise<Topology> {
  const root = options.root ?? '/sys';
  const cpuDir = join(root, 'devices/system/cpu');
  const onlinePath = join(cpuDir, 'online');
  const online = parseCpuset(await readRequired(onlinePath), onlinePath);
  const raw: RawCpu[] = [];
  // In batches: a host with thousands of CPUs must not open thousands of files at once.
  for (let i = 0; i < online.length; i += 64) {
    raw.push(...(await Promise.all(online.slice(i, i + 64).map((cpu) => readCpu(cpuDir, cpu)))));
  }
  const nodes = await readNodes(
    join(root, 'devices/system/node'),
    online,
    options.meminfo ?? '/proc/meminfo',
  );
  return assembleTopology(cpuFacts(raw), nodes, `sysfs at ${root}`);
}
