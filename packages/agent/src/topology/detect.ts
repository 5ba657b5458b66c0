/**
 * Host topology detection: hwloc's XML when an hwloc binary is installed and its output
 * parses, else sysfs. The result says which source was used and, when hwloc was tried and
 * failed, why, so the agent can log it once at startup.
 */
import { readHwlocTopology } from './hwloc.js';
import type { Topology } from './model.js';
import { readSysfsTopology, type SysfsOptions } from './sysfs.js';

/** hwloc binaries tried in order (`hwloc-ls` is the name some distributions install). */
export const HWLOC_COMMANDS: readonly string[] = ['lstopo', 'hwloc-ls'];

/** Where detection looks. */
export interface DetectOptions extends SysfsOptions {
  /** hwloc commands to try in order; `false` skips hwloc. Default: HWLOC_COMMANDS. */
  hwloc?: readonly string[] | false;
  /** Time allowed to each hwloc run. Default 10 s. */
  hwlocTimeoutMs?: number;
}

/** A detected topology and where it came from. */
export interface DetectedTopology {
  topology: Topology;
  source: 'hwloc' | 'sysfs';
  /** The hwloc command that produced it (source `hwloc`). */
  command?: string;
  /** Why hwloc was not used although a binary was found (source `sysfs`). */
  hwlocError?: string;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Detects this host's topology: hwloc first, sysfs when hwloc is absent or fails. */
export async function detectTopology(options: DetectOptions = {}): Promise<DetectedTopology> {
  const errors: string[] = [];
  for (const command of options.hwloc === false ? [] : (options.hwloc ?? HWLOC_COMMANDS)) {
    try {
      const topology = await readHwlocTopology(command, options.hwlocTimeoutMs);
      return { topology, source: 'hwloc', command };
    } catch (err) {
      // Not installed under this name: try the next one without complaint.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      errors.push(`${command}: ${errorText(err)}`);
    }
  }
  const topology = await readSysfsTopology(options);
  return errors.length === 0
    ? { topology, source: 'sysfs' }
    : { topology, source: 'sysfs', hwlocError: errors.join('; ') };
}
