/** Cpuset lists: core's parser and formatter, re-exported for the topology readers. */
export { formatCpuset, parseCpuset } from '@god/core';
