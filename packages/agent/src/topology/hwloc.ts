/**
 * The host topology from hwloc's XML export (`lstopo --of xml`), for hosts where hwloc is
 * installed: it knows more platforms than our sysfs reader (and applies the agent's cgroup
 * restrictions), so god prefers it when present.
 *
 * Only four object types matter: `Package` (socket), `Core`, `PU` (a hardware thread; its
 * `os_index` is the Linux CPU number) and `NUMANode` (`os_index`, `local_memory` in bytes and
 * the `cpuset` bitmap of its local CPUs). Everything else (caches, groups, dies, I/O, distances,
 * infos) is walked through or ignored, so hwloc 1.x trees (nodes above packages) and 2.x trees
 * (nodes as memory children of a package or group) read the same way.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { GodError } from '@god/core';
import { assembleTopology, type CpuFact, type NodeFact, type Topology } from './model.js';

const run = promisify(execFile);

function bad(message: string): never {
  throw new GodError('INVALID_INPUT', `hwloc XML: ${message}`);
}

/**
 * The ids in an hwloc bitmap string: comma-separated 32-bit hex words, most significant first
 * (`0xff00ff00`, `0x000000ff,0xffffffff`). An infinite set (`0xf...f`) is refused.
 */
export function parseHwlocBitmap(text: string): number[] {
  const words = text.trim().split(',').reverse();
  const ids: number[] = [];
  words.forEach((word, i) => {
    const m = /^0x([0-9a-f]{1,8})$/i.exec(word.trim());
    if (m === null) bad(`"${text}" is not a finite cpuset bitmap`);
    const value = parseInt(m[1] as string, 16);
    for (let bit = 0; bit < 32; bit++) if ((value >>> bit) & 1) ids.push(i * 32 + bit);
  });
  return ids.sort((a, b) => a - b);
}

type XmlNode = Record<string, unknown>;

function isXmlNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intAttr(obj: XmlNode, name: string): number {
  const raw = obj[name];
  const n = typeof raw === 'string' ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 0)
    bad(`${String(obj['type'])} object without a valid ${name} (${String(raw)})`);
  return n;
}

function children(obj: XmlNode): XmlNode[] {
  const list = obj['object'];
  return Array.isArray(list) ? list.filter(isXmlNode) : [];
}

interface Walk {
  cpus: CpuFact[];
  nodes: Array<NodeFact & { bitmap: number[] }>;
}

/** Collects PUs (with their socket and core) and NUMA nodes in document order. */
function walk(obj: XmlNode, socket: number, core: number[] | null, out: Walk): void {
  const type = obj['type'];
  if (type === 'PU') {
    const cpu = intAttr(obj, 'os_index');
    // A PU outside any Core object (hwloc could not see cores) is a core on its own.
    const threads = core ?? [cpu];
    if (core !== null) core.push(cpu);
    out.cpus.push({ cpu, socket, threads });
    return;
  }
  if (type === 'NUMANode') {
    const cpuset = obj['cpuset'];
    if (typeof cpuset !== 'string') bad(`NUMANode ${String(obj['os_index'])} has no cpuset`);
    out.nodes.push({
      id: intAttr(obj, 'os_index'),
      cpus: [],
      bitmap: parseHwlocBitmap(cpuset),
      memBytes: intAttr(obj, 'local_memory'),
    });
  }
  const inner = type === 'Package' ? intAttr(obj, 'os_index') : socket;
  const innerCore = type === 'Core' ? [] : core;
  for (const child of children(obj)) walk(child, inner, innerCore, out);
}

/**
 * Parses an hwloc XML export into a Topology. A node's CPUs are the online PUs of its cpuset;
 * when several nodes claim the same CPU (a CXL or NVDIMM memory node next to a package's DRAM),
 * the lowest-numbered node keeps it and the others are memory-only, as sysfs shows them.
 */
export function parseHwlocXml(xml: string): Topology {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    isArray: (name) => name === 'object',
  });
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (err) {
    bad(`not well-formed (${err instanceof Error ? err.message : String(err)})`);
  }
  const topology = isXmlNode(doc) ? doc['topology'] : undefined;
  if (!isXmlNode(topology)) bad('no <topology> element');
  const out: Walk = { cpus: [], nodes: [] };
  for (const root of children(topology)) walk(root, 0, null, out);
  if (out.nodes.length === 0) bad('no NUMANode object');
  const pus = new Set(out.cpus.map((c) => c.cpu));
  const claimed = new Set<number>();
  const nodes = [...out.nodes]
    .sort((a, b) => a.id - b.id)
    .map(({ id, bitmap, memBytes }) => {
      const cpus = bitmap.filter((c) => pus.has(c) && !claimed.has(c));
      for (const c of cpus) claimed.add(c);
      return { id, cpus, memBytes };
    });
  return assembleTopology(out.cpus, nodes, 'hwloc');
}

/** Runs `command --of xml -` (lstopo or hwloc-ls) and parses its output. */
export async function readHwlocTopology(command: string, timeoutMs = 10_000): Promise<Topology> {
  const { stdout } = await run(command, ['--no-io', '--of', 'xml', '-'], {
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  return parseHwlocXml(stdout);
}
