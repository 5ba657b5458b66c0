/**
 * All shards of the cluster in one array sorted by the best-fit score: free GPUs, then free
 * cores, then free RAM, then host name, then shard id (all ascending). The first shard in this
 * order that has enough of everything and passes the job's rules is the best fit, so a search
 * is a binary search to the job's needs and a walk that jumps over shards short of cores or RAM.
 */
import { GodError } from '@god/core';
import type { ShardState } from './state.js';

/** The counted resources a job needs from one shard. */
export interface ShardNeed {
  gpus: number;
  cores: number;
  ramKiB: number;
}

function compareKey(
  s: ShardState,
  gpus: number,
  cores: number,
  ramKiB: number,
  host: string,
  id: string,
): number {
  if (s.freeGpus !== gpus) return s.freeGpus - gpus;
  if (s.freeCores !== cores) return s.freeCores - cores;
  if (s.freeRamKiB !== ramKiB) return s.freeRamKiB - ramKiB;
  if (s.host.name !== host) return s.host.name < host ? -1 : 1;
  if (s.id !== id) return s.id < id ? -1 : 1;
  return 0;
}

/** Shards sorted by free capacity; keep it in step through `update`. */
export class ShardIndex {
  private readonly items: ShardState[] = [];

  /** How many shards are indexed. */
  get size(): number {
    return this.items.length;
  }

  /** The first position whose shard sorts at or after the given key. */
  private lowerBound(gpus: number, cores: number, ramKiB: number, host = '', id = ''): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKey(this.items[mid] as ShardState, gpus, cores, ramKiB, host, id) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Adds a shard at its place in the order. */
  insert(s: ShardState): void {
    this.items.splice(
      this.lowerBound(s.freeGpus, s.freeCores, s.freeRamKiB, s.host.name, s.id),
      0,
      s,
    );
  }

  /** Takes a shard out; its free counts must be those it was inserted with. */
  remove(s: ShardState): void {
    const i = this.lowerBound(s.freeGpus, s.freeCores, s.freeRamKiB, s.host.name, s.id);
    // Free counts changed without `update`: a bug that would corrupt every later decision.
    if (this.items[i] !== s) {
      throw new GodError('INTERNAL', `shard index out of step for ${s.host.name}/${s.id}`);
    }
    this.items.splice(i, 1);
  }

  /** Changes a shard's free counts and moves it to its new place in the order. */
  update(s: ShardState, change: () => void): void {
    this.remove(s);
    change();
    this.insert(s);
  }

  /** The best-fit shard with enough free resources that `accept` takes, or null. */
  find(need: ShardNeed, accept: (s: ShardState) => boolean): ShardState | null {
    const items = this.items;
    let i = this.lowerBound(need.gpus, need.cores, need.ramKiB);
    while (i < items.length) {
      const s = items[i] as ShardState;
      if (s.freeCores < need.cores) {
        // Later shards with these free GPUs and too few cores: jump past them.
        i = this.lowerBound(s.freeGpus, need.cores, need.ramKiB);
      } else if (s.freeRamKiB < need.ramKiB) {
        i = this.lowerBound(s.freeGpus, s.freeCores, need.ramKiB);
      } else if (accept(s)) {
        return s;
      } else {
        i += 1;
      }
    }
    return null;
  }
}
