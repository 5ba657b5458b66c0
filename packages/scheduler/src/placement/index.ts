/** The placement engine: hosts → NUMA shards → cores, RAM, GPUs, ports; EASY backfill passes. */
export { createCluster, type Cluster, type Unfit } from './cluster.js';
export { formatCpuset, parseCpuset } from './cpuset.js';
export * from './types.js';
