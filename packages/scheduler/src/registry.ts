/** The built-in plugins the scheduler knows, in one static registry per kind. */
import { createRegistry, type PolicyDefinition } from '@god/core';
import fairshare from '@god/policy-fairshare';
import fifo from '@god/policy-fifo';

/** Queue policies by name (`FIFO`, `FairShare`). */
export const policies = createRegistry<PolicyDefinition>('policy', [fifo, fairshare]);
