/** The free-capacity summary (metrics, why-pending, tests): totals and per host, per shard. */
import { KIB_PER_GB, freePorts, type HostState } from './state.js';
import type { Amount, FreeSummary, HostFree } from './types.js';

const amount = (total: number, free: number): Amount => ({ total, free });

function add(into: Amount, a: Amount): void {
  into.total += a.total;
  into.free += a.free;
}

function hostFree(host: HostState): HostFree {
  return {
    name: host.name,
    shards: host.shards.map((s) => ({
      id: s.id,
      cores: amount(s.cores.length, s.freeCores),
      ramGB: amount(s.ramKiB / KIB_PER_GB, s.freeRamKiB / KIB_PER_GB),
      gpus: amount(s.gpus.length, s.freeGpus),
    })),
    ports: amount(host.portCount, freePorts(host)),
    jobs: host.jobs.size,
  };
}

/** Totals over the hosts, hosts sorted by name. RAM sums are made in KiB, so they are exact. */
export function summarize(hosts: Iterable<HostState>, jobs: number, stranded: number): FreeSummary {
  const list = [...hosts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const cores = amount(0, 0);
  const ramKiB = amount(0, 0);
  const gpus = amount(0, 0);
  const ports = amount(0, 0);
  for (const host of list) {
    add(ports, amount(host.portCount, freePorts(host)));
    for (const s of host.shards) {
      add(cores, amount(s.cores.length, s.freeCores));
      add(ramKiB, amount(s.ramKiB, s.freeRamKiB));
      add(gpus, amount(s.gpus.length, s.freeGpus));
    }
  }
  const ramGB = amount(ramKiB.total / KIB_PER_GB, ramKiB.free / KIB_PER_GB);
  return { cores, ramGB, gpus, ports, jobs, stranded, hosts: list.map(hostFree) };
}
