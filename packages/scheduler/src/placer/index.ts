/** The placement seam: the default NUMA placer, the delegated placer, and how a job is routed. */
export { createNumaPlacer, routePlacer, type Placer } from './placer.js';
export { createDelegatedPlacer, DELEGATED_SHARD, type ExecutorCapacity } from './delegated.js';
