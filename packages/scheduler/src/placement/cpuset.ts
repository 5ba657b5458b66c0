/**
 * Cpuset lists for placements: core's formatter, and its parser in the form that returns a
 * problem instead of throwing (placements are read on the hot path of every pass).
 */
export { formatCpuset, cpusetOrProblem as parseCpuset } from '@god/core';
