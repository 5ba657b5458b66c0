/** @god/jobs: the job service shared by the API, the CLI and DRMAA. */
export {
  submitJobs,
  pendingTasksOf,
  LimitExceededError,
  MAX_BULK,
  type SubmitDeps,
} from './submit.js';
/** Submission on behalf of an authenticated actor (projects checked first). */
export { submitFor, type SubmitForDeps } from './submit-for.js';
/** What a caller may do to an existing job, whichever API they came through. */
export {
  archiveFor,
  findVisibleJob,
  holdOrRelease,
  requestFor,
  updateFor,
  why,
  UnchangeableFieldError,
  type Actor,
  type JobActionDeps,
  type Requested,
} from './actions.js';
