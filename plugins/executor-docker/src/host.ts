/**
 * The host model when the agent gives none (no topology detection): one shard `numa0` with
 * every CPU the OS lists and all of its RAM, cpusets taken as given.
 */
import { cpus, totalmem } from 'node:os';
import type { HostModel } from '@god/core';
import type { DockerExecutorConfig } from './config.js';

/** A one-shard model of this host named `name`, with the settings' labels, reservation, ports. */
export function fallbackHost(
  name: string,
  settings: Pick<DockerExecutorConfig, 'labels' | 'reserved_for' | 'port_range'>,
  cpuCount: number = cpus().length,
  ramBytes: number = totalmem(),
): HostModel {
  const portRange = settings.port_range;
  return {
    info: {
      name,
      labels: { ...settings.labels },
      shards: [
        {
          id: 'numa0',
          mems: '0',
          cores: Array.from({ length: Math.max(1, cpuCount) }, (_, i) => i),
          ramGB: Math.floor(ramBytes / 1024 ** 3),
          gpus: [],
        },
      ],
      reservedFor:
        settings.reserved_for === null
          ? null
          : {
              users: [...settings.reserved_for.users],
              projects: [...settings.reserved_for.projects],
            },
      portRange: portRange === null ? null : [portRange[0], portRange[1]],
    },
    cpuset: (cores) => cores,
  };
}
