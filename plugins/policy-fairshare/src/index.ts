/** The FairShare queue policy plugin: decayed usage, waiting time and priorities. */
import type { PolicyDefinition } from '@god/core';
import { FairShareConfigSchema } from './config.js';
import { createFairSharePolicy } from './fairshare.js';

/** The FairShare policy definition, as listed in the scheduler's plugin registry. */
export const fairSharePolicy: PolicyDefinition<typeof FairShareConfigSchema> = {
  kind: 'policy',
  name: 'FairShare',
  configSchema: FairShareConfigSchema,
  create: (config) => createFairSharePolicy(config),
};

export { FairShareConfigSchema, type FairShareConfig } from './config.js';
export { createFairSharePolicy, type FairSharePolicy, type FairShareScore } from './fairshare.js';
export {
  bookedAt,
  fairShareStanding,
  USAGE_HORIZON_DAYS,
  type PartyStanding,
  type StandingInput,
} from './standing.js';
export default fairSharePolicy;
