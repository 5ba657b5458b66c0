/** The placement seam: the default NUMA placer, the delegated placer, and how a job is routed. */
export { createNumaPlacer, routePlacer, type Placer } from './placer.js';
export {
  createDelegatedPlacer,
  declaredCapacity,
  freeCapacity,
  isDelegatedHost,
  roomOf,
  type DelegatedCapacity,
  type PlacedShare,
} from './delegated.js';
export { DELEGATED_LABEL, DELEGATED_SHARD } from '@god/core';
