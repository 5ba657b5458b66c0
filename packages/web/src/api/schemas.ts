/**
 * Schemas of the API's parameters and answers. Requests are validated with them; answers are
 * documented with them (OpenAPI) and checked against them in tests.
 */
import { z } from 'zod';
import {
  DEPENDENCY_KINDS,
  JOB_OUTCOMES,
  JOB_STATES,
  PENDING_CODES,
  type JobState,
} from '@god/core';

/** A job id in a path. */
export const JobIdParams = z.strictObject({
  id: z.coerce
    .number()
    .int('must be a job id')
    .positive('must be a job id')
    .max(Number.MAX_SAFE_INTEGER),
});

/** A login in a path. */
export const LoginParams = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'not a login name'),
});

/** A project name in a path. */
export const ProjectParams = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'not a project name'),
});

/** A quota over a sliding window (0: unlimited), as users and projects carry it. */
export const QuotaSchema = z.strictObject({
  cpuSeconds: z.number().min(0).default(0),
  ramGBSeconds: z.number().min(0).default(0),
  gpuSeconds: z.number().min(0).default(0),
  wallSeconds: z.number().min(0).default(0),
  windowSeconds: z.number().int().min(1),
});
/** Limits on what a project's jobs hold at once (0: unlimited). */
export const LimitsSchema = z.strictObject({
  cpu: z.number().int().min(0).default(0),
  ram: z.number().min(0).default(0),
  gpus: z.number().int().min(0).default(0),
  jobs: z.number().int().min(0).default(0),
});
/** A login name. */
export const loginName = LoginParams.shape.id;
/** A FairShare priority. */
export const prioritySchema = z.number().int().min(0).max(100);
/** `a,b` or repeated
 `?state=a&state=b`, as a list of states. */
const states = z
  .union([z.string(), z.array(z.string())])
  .transform((v) =>
    (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter((s) => s !== ''),
  )
  .pipe(z.array(z.enum(JOB_STATES)).min(1).max(JOB_STATES.length));

const name = z.string().min(1).max(200);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Filters and paging of `GET /jobs`. */
export const ListJobsQuery = z.strictObject({
  state: states.optional().describe('states, comma separated (pending,running,...)'),
  user: name.optional(),
  project: name.optional(),
  tag: name.optional(),
  name: name.optional(),
  parent: z.coerce.number().int().positive().optional().describe('tasks of this array job'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});

/** Options of `GET /jobs/{id}/logs`. */
export const LogsQuery = z.strictObject({
  stream: z.enum(['stdout', 'stderr']).default('stdout'),
  tail: z.coerce.number().int().min(0).max(100_000).optional().describe('last lines only'),
  follow: flag.default(false).describe('keep the connection open (SSE) until the job ends'),
});

/** A path inside the task directory. */
export const FilePathQuery = z.strictObject({
  path: z.string().max(4096).default('').describe('relative to the task directory'),
});

/** Why a request to a job was queued. */
export const ControlBody = z
  .strictObject({ reason: z.string().max(500).optional() })
  .optional()
  .transform((b) => b ?? {});

const placement = z.object({
  host: z.string(),
  shard: z.string(),
  cpus: z.string(),
  mems: z.string(),
  gpus: z.array(z.number()),
  ports: z.array(z.number()),
});

/** A job as the API answers it. */
export const JobView = z.object({
  id: z.number().int(),
  state: z.enum(JOB_STATES),
  outcome: z.enum(JOB_OUTCOMES).nullable(),
  user: z.object({
    id: z.string(),
    uid: z.number(),
    gid: z.number(),
    sgids: z.array(z.number()),
    project: z.string(),
  }),
  meta: z.object({ name: z.string(), description: z.string(), tags: z.array(z.string()) }),
  requirements: z.object({
    cpu: z.number(),
    ram: z.number().describe('bytes (submitted as 8G, 512M, ... or a number of GB)'),
    gpus: z.number(),
    array: z
      .object({
        spec: z.string(),
        first: z.number(),
        last: z.number(),
        step: z.number(),
        count: z.number(),
        limit: z.number(),
      })
      .nullable(),
    label: z.array(z.string()),
    tasks: z.array(z.object({ id: z.number(), kind: z.enum(DEPENDENCY_KINDS) })),
    ports: z.array(z.number()),
    tmpstorage: z.number().nullable().describe('always null: not enforced, so refused'),
    maxlifespan: z.number(),
    executor: z.string().nullable(),
    group: z.object({ name: z.string(), policy: z.enum(['affinity', 'anti-affinity']) }).nullable(),
  }),
  container: z.object({
    image: z.string(),
    volumes: z.array(z.object({ name: z.string(), acl: z.enum(['ro', 'rw']) })),
    root: z.boolean(),
  }),
  command: z.object({ cmd: z.string(), interactive: z.boolean() }),
  env: z.record(z.string(), z.string()),
  parent: z.number().nullable(),
  taskId: z.number().nullable(),
  status: z.object({
    primary: z.enum(['pending', 'running', 'over', 'archived']),
    secondary: z.string(),
    reason: z.string(),
    exitcode: z.number().nullable(),
    dates: z.object({
      submitted: z.number(),
      scheduled: z.number().nullable(),
      started: z.number().nullable(),
      ended: z.number().nullable(),
      archived: z.number().nullable(),
    }),
  }),
  why: z.object({ code: z.enum(PENDING_CODES), message: z.string() }).nullable(),
  placement: placement.nullable(),
  epoch: z.number(),
  attempts: z.number(),
  usage: z
    .object({
      cpuSeconds: z.number(),
      ramGBSeconds: z.number(),
      gpuSeconds: z.number(),
      wallSeconds: z.number(),
      maxRamBytes: z.number(),
    })
    .nullable(),
});

/** A page of jobs. */
export const JobPageView = z.object({
  jobs: z.array(JobView),
  nextCursor: z.string().nullable(),
});

/** The answer to a request queued for the watchers. */
export const RequestedView = z.object({
  jobId: z.number(),
  action: z.string(),
  requested: z.literal(true),
  messageId: z.string(),
});

/** The answer to a hold or release. */
export const StateView = z.object({ jobId: z.number(), state: z.enum(JOB_STATES) });

/** States a request applies to, for error messages. */
export const ACTIVE: readonly JobState[] = ['pending', 'held', 'scheduled', 'running', 'suspended'];
