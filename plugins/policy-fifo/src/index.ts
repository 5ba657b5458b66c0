/** The FIFO queue policy plugin: jobs in submission order, then by id. */
import type { PolicyDefinition } from '@god/core';
import { z } from 'zod';
import { createFifoPolicy } from './fifo.js';

/** FIFO has no settings; the schema still refuses unknown keys so a typo is reported. */
export const FifoConfigSchema = z.strictObject({}).prefault({});

/** The FIFO policy definition, as listed in the scheduler's plugin registry. */
export const fifoPolicy: PolicyDefinition<typeof FifoConfigSchema> = {
  kind: 'policy',
  name: 'FIFO',
  configSchema: FifoConfigSchema,
  create: () => createFifoPolicy(),
};

export { createFifoPolicy };
export default fifoPolicy;
