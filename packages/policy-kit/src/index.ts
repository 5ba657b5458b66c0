/** Queue bookkeeping shared by the queue-policy plugins (FIFO, FairShare): outside core, which stays the job model and contracts. */
export * from './job-index.js';
export * from './job-queue.js';
