/** @god/jobs: the job service shared by the API, the CLI and DRMAA. */
export {
  submitJobs,
  pendingTasksOf,
  LimitExceededError,
  MAX_BULK,
  type SubmitDeps,
} from './submit.js';
