/**
 * Schemas of the API's parameters and answers. Requests are validated with them; answers are
 * documented with them (OpenAPI) and checked against them in tests.
 */
import { z } from 'zod';
import { MAX_NAME_QUERY } from '@god/store';
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
/** Epoch ms in a query string: digits only (a blank is not 0). */
const epochMs = z
  .string()
  .regex(/^\d{1,15}$/, 'must be epoch milliseconds')
  .transform(Number);
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
  submitted_after: epochMs.optional().describe('submitted at or after (epoch ms)'),
  submitted_before: epochMs.optional().describe('submitted before (epoch ms, exclusive)'),
  q: z
    .string()
    .max(MAX_NAME_QUERY, `at most ${MAX_NAME_QUERY} characters`)
    .optional()
    .describe('name contains (case ignored, taken literally)'),
  order: z
    .enum(['asc', 'desc'])
    .default('asc')
    .describe('by id: asc (default, oldest first, as before) or desc (newest first)'),
  top_level: flag
    .default(false)
    .describe('true: only jobs that are not array tasks (plain jobs and array jobs themselves)'),
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

/** An array job's tasks counted by state and outcome (tasks not made yet count as pending). */
export const TaskSummaryView = z.object({
  total: z.number(),
  pending: z.number(),
  held: z.number(),
  scheduled: z.number(),
  running: z.number(),
  suspended: z.number(),
  success: z.number(),
  failed: z.number(),
  killed: z.number(),
  other: z.number().describe('ended lost, rejected or over quota; or never made (array ended)'),
});

/** A running job's last usage samples, oldest first (empty when none: not running, or expired). */
export const LiveUsageView = z.object({
  samples: z.array(
    z.object({
      t: z.number().describe('epoch ms'),
      cpuSeconds: z.number().describe('CPU time used so far'),
      memBytes: z.number().describe('memory now, without page cache'),
    }),
  ),
});

/** Who holds a core or GPU: a job the caller may see, another user's ('busy'), or nobody. */
const Holder = z.union([
  z.null(),
  z.object({ id: z.number(), user: z.string(), name: z.string() }),
  z.literal('busy'),
]);

/** The cluster: hosts, their shards, and which jobs hold each core and GPU. */
export const ClusterView = z.object({
  maintenance: z.boolean(),
  hosts: z.array(
    z.object({
      name: z.string(),
      alive: z.boolean().describe('heartbeat within scheduler.host_timeout_ms'),
      lastSeen: z.number().describe('last heartbeat, epoch ms'),
      labels: z.record(z.string(), z.string()),
      reservedFor: z
        .object({ users: z.array(z.string()), projects: z.array(z.string()) })
        .nullable(),
      shards: z.array(
        z.object({
          id: z.string(),
          cores: z.array(z.object({ id: z.number(), job: Holder })),
          ramGB: z.number(),
          ramUsedGB: z.number().describe('RAM the jobs placed on this shard asked for'),
          gpus: z.array(z.object({ id: z.number(), job: Holder })),
        }),
      ),
    }),
  ),
});

/** The maintenance flag (scheduling paused cluster-wide; jobs are still accepted). */
export const MaintenanceView = z.strictObject({ maintenance: z.boolean() });

const standing = {
  share: z.number().nullable().describe('configured share in [0, 1] (null under FIFO)'),
  usage: z.number().describe('decayed usage in billing units (weighted resource-seconds)'),
  priority: z
    .number()
    .nullable()
    .describe('what fair share and priority add to its jobs’ scores; higher runs first'),
  factors: z
    .object({
      fairshare: z.number().describe('2^(-usageShare/share), in [0, 1]'),
      usageShare: z.number().describe('achieved share of everyone’s usage, in [0, 1]'),
      configuredPriority: z.number().describe('0-100'),
      active: z.boolean().describe('has jobs queued or running (only those get a share)'),
    })
    .nullable(),
  rank: z.number().nullable().describe('1 = favoured most, among all users (or projects)'),
  fairnessError: z.number().optional().describe('administrators: usageShare − share'),
};

/** Where users and projects stand in the fair-share policy now. */
export const FairshareView = z.object({
  policy: z.enum(['fifo', 'fairshare']),
  users: z.array(z.object({ user: z.string(), ...standing })),
  projects: z.array(z.object({ project: z.string(), ...standing })),
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
