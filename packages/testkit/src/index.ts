/**
 * god's test kit: what tests (and benchmarks) share. Never imported by code built into a
 * package's dist/: only by `*.test.ts`, `test-*.ts` and contract suites, which no build includes.
 */
export { waitFor, type Truthy, type WaitOptions } from './wait.js';
export {
  ALICE,
  makeJob,
  makeNewJob,
  makePlacement,
  makeQueuedJob,
  makeRequirements,
  type JobOverrides,
  type NewJobOverrides,
} from './jobs.js';
export { services, uniqueName, type LdapInfo, type SecureRedisInfo } from './services.js';
