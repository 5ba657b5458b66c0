/**
 * Host topology detection for the agent: what the host has (sockets, NUMA nodes, cores and
 * their hyperthreads, memory), from hwloc or sysfs, and the executor shards made from it.
 */

/** The topology model. */
export type { Topology, TopologyCore, TopologyNode } from './model.js';
/** Cpuset lists (`0-3,8-11`). */
export { formatCpuset, parseCpuset } from './cpuset.js';
/** Detection: hwloc's XML when installed, else sysfs. */
export {
  detectTopology,
  HWLOC_COMMANDS,
  type DetectedTopology,
  type DetectOptions,
} from './detect.js';
/** The two readers, for tools and tests that want one in particular. */
export { readSysfsTopology, type SysfsOptions } from './sysfs.js';
export { parseHwlocXml, readHwlocTopology } from './hwloc.js';
/** Shards of a host and the cpuset of a placement. */
export {
  cpusetFor,
  shardsFor,
  TopologySettingsSchema,
  type TopologySettings,
  type TopologySettingsInput,
} from './shards.js';
