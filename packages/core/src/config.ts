/**
 * god's configuration: one zod schema (documented key by key in config/god.yaml), resolved as
 * defaults -> YAML file -> GODOCKER_* environment -> `--set path=value` flags. Every problem is
 * reported at once with its path; the resolved config is frozen. No I/O here: the process's
 * composition root reads the file and the environment and passes them in.
 */
import { LineCounter, parseDocument, parse as parseYamlScalar } from 'yaml';
import { z } from 'zod';
import { ValidationError, type FieldIssue } from './errors.js';
import { fieldIssues } from './validation.js';
import { setPath } from './paths.js';
import { JobLimitsSchema, defaultsWithinLimits, ramBytes } from './quantity.js';
import { BYTES_PER_GB, MAX_ARRAY_TASKS } from './units.js';
import { EXPOSED_REDIS_MESSAGE, redisAccess } from './redis-access.js';
import { unsafeVolume } from './volumes.js';

const positiveMs = z.number().int().positive();
const name = z.string().regex(/^[A-Za-z0-9_.-]+$/);

const LeaseSchema = z
  .strictObject({
    ttl_ms: positiveMs.default(15_000),
    renew_deadline_ms: positiveMs.default(10_000),
    retry_ms: positiveMs.default(2_000),
  })
  .prefault({})
  .superRefine((l, ctx) => {
    // As Kubernetes' leader election: a leader that cannot renew gives up (renew deadline)
    // before its lease can expire, and retries several times within that deadline.
    if (!(l.ttl_ms > l.renew_deadline_ms)) {
      ctx.addIssue({
        code: 'custom',
        path: ['renew_deadline_ms'],
        message: 'must be less than ttl_ms',
      });
    }
    if (!(l.renew_deadline_ms > l.retry_ms)) {
      ctx.addIssue({
        code: 'custom',
        path: ['retry_ms'],
        message: 'must be less than renew_deadline_ms',
      });
    }
  });

/** The job fields that `web.dynamic_fields` may list. */
export const DYNAMIC_FIELDS = ['name', 'description', 'tags', 'maxlifespan'] as const;
export type DynamicField = (typeof DYNAMIC_FIELDS)[number];

export const ConfigSchema = z.strictObject({
  store: z
    .strictObject({
      driver: z.enum(['sqlite', 'mongodb']).default('sqlite'),
      sqlite: z.strictObject({ path: z.string().min(1).default('.god/god.db') }).prefault({}),
      mongodb: z
        .strictObject({
          url: z
            .string()
            .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL')
            .default('mongodb://127.0.0.1:27017'),
          db: name.default('god'),
        })
        .prefault({}),
    })
    .prefault({}),
  redis: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(1).max(65535).default(6379),
      db: z.number().int().min(0).max(15).default(0),
      password: z.string().default(''),
      /** ACL user to authenticate as (empty: Redis's `default` user). */
      username: z.string().default(''),
      /** File holding the password (owner-only mode), used when `password` is empty. */
      password_file: z.string().default(''),
      /** Unix socket of the server; when set, host and port are not used. */
      path: z.string().default(''),
      /** Connect over TLS (the CA comes from Node's store or NODE_EXTRA_CA_CERTS). */
      tls: z.boolean().default(false),
      /** Start even without a password when the server is on another host (not advised). */
      allow_unauthenticated: z.boolean().default(false),
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9_.-]+$/)
        .default('god'),
    })
    .prefault({})
    .superRefine((r, ctx) => {
      if (!r.allow_unauthenticated && redisAccess(r) === 'exposed')
        ctx.addIssue({ code: 'custom', path: ['host'], message: EXPOSED_REDIS_MESSAGE });
    }),
  scheduler: z
    .strictObject({
      policy: z.string().min(1).default('FIFO'),
      interval_ms: positiveMs.default(1_000),
      lease: LeaseSchema,
      maintenance: z.boolean().default(false),
      /** Most placements committed in one pass, so events are handled between passes. */
      batch: z.number().int().min(1).default(5_000),
      /** Run time assumed for jobs that set no maxlifespan (quotas, backfill), in seconds. */
      default_maxlifespan: z.number().int().min(1).default(86_400),
      /** Hosts whose agent has not sent a heartbeat for this long get no new jobs. */
      host_timeout_ms: positiveMs.default(30_000),
      /** Tasks of an array kept materialised (pending) at once; more are made as these start. */
      array_window: z.number().int().min(1).default(1_000),
    })
    .prefault({}),
  executor: z.string().min(1).default('docker'),
  agent: z
    .strictObject({
      /**
       * How the host's NUMA nodes become shards (reserve_ram_gb, reserve_cores, shards, gpus);
       * checked by the agent against its topology schema at start.
       */
      topology: z.record(z.string(), z.unknown()).default({}),
      /** How often the agent's hosts heartbeat. */
      heartbeat_ms: positiveMs.default(2_000),
      /** Dispatch messages an agent handles at once per shard. */
      concurrency: z.number().int().min(1).default(64),
      /** Seconds between samples of running jobs' usage published for live charts. */
      usage_sample_s: z.number().int().min(1).default(5),
    })
    .prefault({}),
  shared_dir: z.string().min(1).default('.god/tasks'),
  defaults: z
    .strictObject({
      image: z.string().min(1).default('god-test/busybox:latest'),
      cpu: z.number().int().min(1).default(1),
      /** Bytes (written `1G`, `512M` or a number of GB). */
      ram: ramBytes.default(BYTES_PER_GB),
    })
    .prefault({}),
  limits: z
    .strictObject({
      max_pending_per_user: z.number().int().min(0).default(0),
      max_pending: z.number().int().min(0).default(0),
      /** Most tasks in one job array (each task counts against the pending limits). */
      max_array_tasks: z.number().int().min(1).max(MAX_ARRAY_TASKS).default(100_000),
      /** The largest job a user may submit (cores, RAM, GPUs, maxlifespan). */
      job: JobLimitsSchema,
    })
    .prefault({}),
  quotas: z
    .strictObject({
      /** Kill running jobs when their owner or project reaches a quota (else only refuse new ones). */
      kill_on_limit: z.boolean().default(false),
    })
    .prefault({}),
  /** Settings of plugins by name (`FairShare`, `fake`, ...), validated by each plugin's schema. */
  plugins: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  clean_old: z.number().int().min(0).default(30),
  /** What happens to the jobs of a host that stopped answering (its agent's heartbeat stopped). */
  failure_policy: z
    .strictObject({
      /** Times a job is queued again after losing its host; then it ends `lost`. */
      retries: z.number().int().min(0).default(1),
      /** `retry`: queue the job again while retries remain; `end`: end it `lost` at once. */
      on_lost: z.enum(['retry', 'end']).default('retry'),
    })
    .prefault({}),
  watcher: z
    .strictObject({
      /** Watcher plugins to run, by name (`maxlifespan`); settings under `plugins.<name>`. */
      plugins: z.array(z.string().min(1)).default(['maxlifespan']),
      /** How often lost hosts are looked for (ms), besides on `hosts.changed` events. */
      reconcile_ms: positiveMs.default(5_000),
    })
    .prefault({}),
  archiver: z
    .strictObject({
      /** How often finished jobs older than `clean_old` days are archived (ms). */
      interval_ms: positiveMs.default(3_600_000),
    })
    .prefault({}),
  /** Host directories jobs may ask for by name (templates over the owner's account). */
  volumes: z
    .array(
      z.strictObject({
        name,
        path: z.string().min(1),
        mount: z.string().min(1).optional(),
        acl: z.enum(['ro', 'rw']).default('ro'),
      }),
    )
    .default([])
    .superRefine((vs, ctx) => {
      const seen = new Set<string>();
      vs.forEach((v, i) => {
        if (seen.has(v.name))
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${v.name} is listed twice` });
        seen.add(v.name);
        // The same rules as at submission, so a volume no job could get fails at load.
        const bad = unsafeVolume(v);
        if (bad !== null)
          ctx.addIssue({ code: 'custom', path: [i, bad.key], message: bad.message });
      });
    }),
  security: z
    .strictObject({
      /** Whether jobs may run as root in their container at all. */
      allow_root: z.boolean().default(false),
      /** With allow_root, only these users may (empty: every user). */
      root_users: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  /** Images offered to users (`god images`, the web UI); `default` marks the one preselected. */
  images: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(200),
        url: z.string().min(1).max(512),
        interactive: z.boolean().default(false),
        default: z.boolean().default(false),
      }),
    )
    .default([]),
  /** Placement constraints users may ask for (`--label name==value`), shown by the API. */
  constraints: z
    .array(z.strictObject({ name, values: z.array(z.string().min(1)).min(1) }))
    .default([]),
  auth: z
    .strictObject({
      /** Auth plugin: `local` (god's own user records) or `ldap`; settings under plugins.<name>. */
      plugin: z.string().min(1).default('local'),
      /** Logins with administrator rights, besides users marked admin in the store. */
      admins: z.array(z.string().min(1)).default([]),
      /** Lifetime of the signed tokens `POST /api/v1/auth/login` and API keys exchange for. */
      token_ttl_s: z
        .number()
        .int()
        .min(60)
        .max(30 * 86_400)
        .default(3_600),
      /** Secret that signs tokens (32+ characters). Empty: the one in `token_secret_file`. */
      token_secret: z
        .string()
        .refine((s) => s === '' || s.length >= 32, 'must be empty or at least 32 characters')
        .default(''),
      /** Owner-only file holding the signing secret; made by the first web process if missing. */
      token_secret_file: z.string().min(1).default('.god/token-secret'),
      /** Failed passwords per (login, client address) before each next try must wait. */
      max_failures: z.number().int().min(1).default(5),
      /** Failed passwords per client address (any login) before each next try must wait. */
      max_failures_per_address: z.number().int().min(1).default(100),
      /** The longest wait between tries; waits double from 2 s up to it. */
      max_delay_s: z.number().int().min(1).max(86_400).default(60),
      /** How long failures are remembered after the last one. */
      window_s: z.number().int().min(1).default(900),
      /** Whether members of a project see and act on each other's jobs in that project. */
      share_project_tasks: z.boolean().default(false),
    })
    .prefault({}),
  web: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(6543),
      /**
       * Proxies whose `X-Forwarded-For` names the client (addresses, CIDRs, or express's
       * `loopback`, `linklocal`, `uniquelocal`); empty: the peer address is the client.
       */
      trust_proxy: z
        .array(
          z.union([
            z.enum(['loopback', 'linklocal', 'uniquelocal']),
            z.ipv4(),
            z.ipv6(),
            z.cidrv4(),
            z.cidrv6(),
          ]),
        )
        .default([]),
      /** Largest request body (bulk submissions), in MB. */
      max_body_mb: z.number().positive().max(1024).default(64),
      /** Long-lived streams (live events, followed logs; later SSH, web terminal) per user. */
      max_streams_per_user: z.number().int().min(1).default(8),
      /** Long-lived streams of the whole process. */
      max_streams: z.number().int().min(1).default(1000),
      /** A stream that sent no data for this long is closed (ms); clients reconnect. */
      stream_idle_ms: positiveMs.default(600_000),
      /** How often a stream gets a comment line so proxies keep it open (ms). */
      stream_heartbeat_ms: positiveMs.default(15_000),
      /** Connections one web process holds at once (node's server.maxConnections). */
      max_connections: z.number().int().min(1).default(4096),
      /** Time a client has to send its request headers (ms): slow clients hold no socket. */
      headers_timeout_ms: positiveMs.default(20_000),
      /** Time a client has to send its whole request, body included (ms). */
      request_timeout_ms: positiveMs.default(60_000),
      /** An idle keep-alive connection is closed after this long (ms). */
      keep_alive_timeout_ms: positiveMs.default(5_000),
      /** Directory of the web UI's built files; empty: the installed `@god/ui` package's dist. */
      ui_dir: z.string().default(''),
      /** Job fields users may change after submission; admin_only ones only by admins. */
      dynamic_fields: z
        .array(
          z.strictObject({
            name: z.enum(DYNAMIC_FIELDS),
            admin_only: z.boolean().default(false),
          }),
        )
        .default([
          { name: 'name', admin_only: false },
          { name: 'description', admin_only: false },
          { name: 'tags', admin_only: false },
          { name: 'maxlifespan', admin_only: true },
        ]),
    })
    .prefault({}),
});

/** The resolved, frozen configuration. */
export type Config = Readonly<z.output<typeof ConfigSchema>>;

/** GO-Docker's environment names (kept where they apply) and god's additions, to config paths. */
export const ENV_OVERRIDES: Readonly<Record<string, string>> = {
  GODOCKER_STORE: 'store.driver',
  GODOCKER_SQLITE_PATH: 'store.sqlite.path',
  GODOCKER_MONGO_URL: 'store.mongodb.url',
  GODOCKER_MONGO_DB: 'store.mongodb.db',
  GODOCKER_REDIS_HOST: 'redis.host',
  GODOCKER_REDIS_PORT: 'redis.port',
  GODOCKER_REDIS_DB: 'redis.db',
  GODOCKER_REDIS_PASSWORD: 'redis.password',
  GODOCKER_REDIS_USERNAME: 'redis.username',
  GODOCKER_REDIS_PASSWORD_FILE: 'redis.password_file',
  GODOCKER_REDIS_SOCKET: 'redis.path',
  GODOCKER_REDIS_PREFIX: 'redis.prefix',
  GODOCKER_EXECUTOR: 'executor',
  GODOCKER_SCHEDULER_POLICY: 'scheduler.policy',
  GODOCKER_SHARED_DIR: 'shared_dir',
  GODOCKER_CLEAN_OLD: 'clean_old',
  GODOCKER_LOG_LEVEL: 'log.level',
  GODOCKER_WEB_HOST: 'web.host',
  GODOCKER_WEB_PORT: 'web.port',
  GODOCKER_AUTH: 'auth.plugin',
  GODOCKER_TOKEN_SECRET: 'auth.token_secret',
  GODOCKER_TOKEN_SECRET_FILE: 'auth.token_secret_file',
};

/** Config paths whose values are strings: env and flag values for them are never coerced. */
const STRING_PATHS = new Set([
  'redis.password',
  'redis.host',
  'store.sqlite.path',
  'shared_dir',
  'web.host',
  'auth.token_secret',
  'redis.username',
  'redis.password_file',
  'redis.path',
  'auth.token_secret_file',
]);

/** Everything that goes into one resolution. */
export interface ConfigSources {
  /** Text of the YAML file, if any, and its name for messages. */
  file?: { name: string; text: string };
  env?: Readonly<Record<string, string | undefined>>;
  /** `path=value` pairs from `--set` flags. */
  sets?: readonly string[];
}

/**
 * Resolves the configuration from its sources, or throws a `ValidationError` (code
 * `INVALID_CONFIG`) listing every problem with its path and where the bad value came from.
 */
export function resolveConfig(sources: ConfigSources = {}): Config {
  const issues: FieldIssue[] = [];
  const origin = new Map<string, string>();
  let raw: Record<string, unknown> = {};

  if (sources.file !== undefined) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(sources.file.text, { prettyErrors: false, lineCounter });
    for (const err of doc.errors) {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      issues.push({ path: '', message: `${sources.file.name}:${line}:${col}: ${err.message}` });
    }
    if (doc.errors.length === 0) {
      const value: unknown = doc.toJS();
      if (
        value !== null &&
        value !== undefined &&
        (typeof value !== 'object' || Array.isArray(value))
      ) {
        issues.push({
          path: '',
          message: `${sources.file.name}: the top level must be a mapping of keys`,
        });
      } else if (value !== null && value !== undefined) {
        raw = value as Record<string, unknown>;
      }
    }
  }

  for (const [envName, path] of Object.entries(ENV_OVERRIDES)) {
    const value = sources.env?.[envName];
    if (value === undefined || value === '') continue;
    setPath(raw, path, coerce(path, value));
    origin.set(path, envName);
  }
  for (const item of sources.sets ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      issues.push({ path: '', message: `--set ${item}: expected path=value` });
      continue;
    }
    const path = item.slice(0, eq).trim();
    setPath(raw, path, coerce(path, item.slice(eq + 1)));
    origin.set(path, `--set ${path}`);
  }

  if (issues.length === 0) {
    // Checks across sections here, so the schema stays one plain object (its `shape` usable).
    const result = ConfigSchema.superRefine(defaultsWithinLimits).safeParse(raw);
    if (result.success) return deepFreeze(result.data);
    for (const issue of fieldIssues(result.error)) {
      const from = origin.get(issue.path);
      issues.push(
        from === undefined ? issue : { ...issue, message: `${issue.message} (from ${from})` },
      );
    }
  }
  throw new ValidationError('invalid configuration', issues, 'INVALID_CONFIG');
}

function coerce(path: string, value: string): unknown {
  // Secrets are strings whatever they look like (a password `123` or `yes` must stay as typed).
  if (STRING_PATHS.has(path) || /(password|secret|token)$/i.test(path)) return value;
  try {
    // A YAML scalar: `6379` -> 6379, `true` -> true, `FIFO` -> 'FIFO'.
    return parseYamlScalar(value) as unknown;
  } catch {
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
