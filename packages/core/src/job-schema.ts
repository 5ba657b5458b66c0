/**
 * What a client may submit. Strict: an unknown field is refused with its path, so a typo
 * (`requirments`, `requirements.mem`) never silently falls back to a default.
 */
import { z } from 'zod';
import { DEPENDENCY_KINDS, type Dependency, type JobUser, type NewJob } from './job.js';
import { MAX_CPU, MAX_GPUS, durationSeconds, ramBytes } from './quantity.js';
import { BYTES_PER_GB, parseArraySpec } from './units.js';
import { parseOrThrow } from './validation.js';

const arraySpec = z.string().transform((v, ctx) => {
  const r = parseArraySpec(v);
  if (typeof r === 'string') {
    ctx.addIssue({ code: 'custom', message: r });
    return z.NEVER;
  }
  return r;
});

const jobId = z.number().int().positive();

const dependency = z
  .union([jobId, z.strictObject({ id: jobId, kind: z.enum(DEPENDENCY_KINDS).default('afterok') })])
  .transform((d): Dependency => (typeof d === 'number' ? { id: d, kind: 'afterok' } : d));

/** Image references: `name`, `name:tag`, `registry:port/path/name:tag`, `name@sha256:…`. */
const IMAGE_REF =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const JobSubmissionSchema = z.strictObject({
  meta: z
    .strictObject({
      name: z.string().trim().min(1, 'must not be empty').max(200).default('job'),
      description: z.string().max(10_000).default(''),
      tags: z
        .array(z.string().regex(NAME, 'tags are letters, digits, _ . -').max(64))
        .max(50)
        .default([]),
    })
    .prefault({}),
  project: z
    .string()
    .regex(NAME, 'project names are letters, digits, _ . -')
    .max(64)
    .default('default'),
  requirements: z
    .strictObject({
      cpu: z.number().int('must be a whole number of cores').min(1).max(MAX_CPU).default(1),
      /** Bytes (input: `8G`, `512M` or a number of GB, as GO-Docker's documents). */
      ram: ramBytes.default(BYTES_PER_GB),
      gpus: z.number().int().min(0).max(MAX_GPUS).default(0),
      array: arraySpec.nullable().default(null),
      label: z
        .array(
          z.string().regex(/^[A-Za-z0-9_.-]+==[^=\s]+$/, 'a constraint looks like name==value'),
        )
        .max(32)
        .default([]),
      tasks: z.array(dependency).max(1000).default([]),
      ports: z.array(z.number().int().min(1).max(65535)).max(32).default([]),
      // god enforces no limit on temporary storage, so asking for one is refused, not ignored.
      tmpstorage: z
        .null({ message: 'god does not enforce temporary storage limits: remove this field' })
        .default(null),
      maxlifespan: durationSeconds.default(0),
      executor: z.string().regex(NAME).max(64).nullable().default(null),
      group: z
        .strictObject({
          name: z.string().regex(NAME).max(64),
          policy: z.enum(['affinity', 'anti-affinity']),
        })
        .nullable()
        .default(null),
    })
    .prefault({}),
  container: z.strictObject({
    image: z.string().max(512).regex(IMAGE_REF, 'not a valid image reference'),
    volumes: z
      .array(
        z.strictObject({
          name: z.string().regex(NAME).max(64),
          acl: z.enum(['ro', 'rw']).default('ro'),
        }),
      )
      .max(64)
      .default([]),
    root: z.boolean().default(false),
  }),
  command: z.strictObject({
    cmd: z
      .string()
      .min(1, 'the script is empty')
      .max(1024 * 1024, 'the script is larger than 1 MiB'),
    interactive: z.boolean().default(false),
  }),
  env: z
    .record(
      z
        .string()
        .regex(ENV_NAME, 'environment names are letters, digits and _')
        .refine((k) => !k.startsWith('GODOCKER_'), 'GODOCKER_* variables are set by god'),
      z.string().max(32 * 1024),
    )
    .refine((e) => Object.keys(e).length <= 256, 'at most 256 environment variables')
    .default({}),
  hold: z.boolean().default(false),
});

/**
 * What a client may change on an active job (the fields `web.dynamic_fields` lists), with the
 * same rules as at submission. Only the fields given change.
 */
export const JobUpdateSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  description: z.string().max(10_000).optional(),
  tags: z
    .array(z.string().regex(NAME, 'tags are letters, digits, _ . -').max(64))
    .max(50)
    .optional(),
  maxlifespan: durationSeconds.optional(),
});
export type JobUpdate = z.output<typeof JobUpdateSchema>;

/** A validated submission, with defaults filled in and units converted (bytes, seconds). */
export type JobSubmission = z.output<typeof JobSubmissionSchema>;
/** What a client sends before validation. */
export type JobSubmissionInput = z.input<typeof JobSubmissionSchema>;

/** Validates a submission; throws `ValidationError` naming every bad field. */
export function parseJobSubmission(input: unknown): JobSubmission {
  return parseOrThrow(JobSubmissionSchema, input, 'invalid job');
}

/** Builds the record to insert for a validated submission by `user` (identity from auth). */
export function newJobFromSubmission(
  sub: JobSubmission,
  user: Omit<JobUser, 'project'>,
  now = Date.now(),
): NewJob {
  return {
    state: sub.hold ? 'held' : 'pending',
    submitted: now,
    user: { ...user, sgids: [...user.sgids], project: sub.project },
    meta: sub.meta,
    requirements: sub.requirements,
    container: sub.container,
    command: sub.command,
    env: sub.env,
    parent: null,
    taskId: null,
    why: sub.hold
      ? { code: 'HELD', message: 'held by request' }
      : { code: 'NEW', message: 'waiting for the scheduler' },
  };
}
