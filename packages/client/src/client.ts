/**
 * A typed client of god's REST API (`/api/v1`), over fetch (Node 20 or a browser). One method per
 * route; errors come back as `ApiError` with the server's stable `code` and, for bad input,
 * every bad field. Streams (logs, events) are async iterables of server-sent events.
 */
import type { FieldIssue, Job, JobState, JobSubmissionInput } from '@god/core';
import type { Cluster, Fairshare, LiveUsage, TaskSummary, UsageHistory } from './cluster-types.js';
import { readEvents, type ServerEvent } from './sse.js';

/** An error answer of the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    /** Seconds to wait before trying again (the `Retry-After` of a 429 or 503), when given. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Where the server is and how to prove who we are. */
export interface ClientOptions {
  /** `http://host:port` of a god web process; `''` for the page's own origin (the web UI). */
  server: string;
  /** An API key (`god_…`) or a token. */
  credential?: string;
  /**
   * The CSRF token of a browser session (cookie auth): sent as `X-CSRF-Token` on every request
   * that may change something (methods other than GET, HEAD, OPTIONS).
   */
  csrf?: string;
  /** Request timeout in ms (not for streams); default 60 s. */
  timeoutMs?: number;
}

/** Filters of `listJobs`. */
export interface JobQuery {
  state?: JobState | JobState[];
  user?: string;
  project?: string;
  tag?: string;
  name?: string;
  parent?: number;
  limit?: number;
  cursor?: string;
  /** Submitted at or after (epoch ms). */
  submittedAfter?: number;
  /** Submitted before (epoch ms, exclusive). */
  submittedBefore?: number;
  /** Name contains (case ignored, taken literally; at most 200 characters). */
  q?: string;
  /** `asc` (the server's default: oldest first) or `desc` (newest first). */
  order?: 'asc' | 'desc';
  /** Only jobs that are not array tasks (plain jobs and array jobs themselves). */
  topLevel?: boolean;
}

/** A browser session (`/auth/session`): who is logged in, until when, and its CSRF token. */
export interface Session {
  user: string;
  admin: boolean;
  /** Epoch ms. */
  expiresAt: number;
  csrf: string;
}

/** How a browser session starts: a password (local or LDAP) or an API key. */
export type SessionLogin = { login: string; password: string } | { apiKey: string };

/** Methods that change nothing, so carry no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A request queued for the watchers. */
export interface Requested {
  jobId: number;
  action: string;
  requested: true;
  messageId: string;
}

/** An entry of a task directory listing. */
export interface FileEntry {
  name: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  mtime: number;
}

type Query = Record<string, string | number | boolean | undefined | string[]>;

/** The client. */
export class GodClient {
  private readonly base: string;

  constructor(private readonly opts: ClientOptions) {
    this.base = opts.server.replace(/\/+$/, '');
  }

  /** A client with another credential (after a login). */
  withCredential(credential: string): GodClient {
    return new GodClient({ ...this.opts, credential });
  }

  /** A client that sends `csrf` with its changing requests (after a session started). */
  withCsrf(csrf: string): GodClient {
    return new GodClient({ ...this.opts, csrf });
  }

  // --- browser session ------------------------------------------------------------------

  /** Starts a cookie session (the server sets the HttpOnly cookie); keep its `csrf`. */
  startSession(login: SessionLogin): Promise<Session> {
    return this.call('POST', '/auth/session', { body: login });
  }
  /** The session of the cookie this browser holds (ApiError 401 when there is none). */
  session(): Promise<Session> {
    return this.call('GET', '/auth/session');
  }
  /** Ends the session server-side and clears its cookie. */
  async endSession(): Promise<void> {
    await this.raw('DELETE', '/auth/session');
  }

  // --- auth -----------------------------------------------------------------------------

  login(
    login: string,
    password: string,
  ): Promise<{ token: string; expiresAt: number; user: string; admin: boolean }> {
    return this.call('POST', '/auth/login', { body: { login, password } });
  }
  token(): Promise<{ token: string; expiresAt: number; user: string; admin: boolean }> {
    return this.call('POST', '/auth/token');
  }
  me(): Promise<{
    id: string;
    admin: boolean;
    uid: number;
    gid: number;
    sgids: number[];
    home: string | null;
    email: string;
    via: string;
  }> {
    return this.call('GET', '/auth/me');
  }
  createKey(
    name: string,
    opts: { user?: string; ttlDays?: number } = {},
  ): Promise<{
    id: string;
    key: string;
    user: string;
    name: string;
    createdAt: number;
    expiresAt: number | null;
  }> {
    return this.call('POST', '/keys', {
      body: {
        name,
        ...(opts.user !== undefined && { user: opts.user }),
        ...(opts.ttlDays !== undefined && { ttl_days: opts.ttlDays }),
      },
    });
  }
  listKeys(user?: string): Promise<{
    keys: Array<{
      id: string;
      user: string;
      name: string;
      createdAt: number;
      expiresAt: number | null;
    }>;
  }> {
    return this.call('GET', '/keys', { query: { user } });
  }
  revokeKey(id: string): Promise<{ revoked: string }> {
    return this.call('DELETE', `/keys/${encodeURIComponent(id)}`);
  }

  // --- jobs -----------------------------------------------------------------------------

  async submit(job: JobSubmissionInput): Promise<Job> {
    return (await this.call<{ job: Job }>('POST', '/jobs', { body: job })).job;
  }
  submitBulk(jobs: JobSubmissionInput[]): Promise<{ ids: number[]; count: number }> {
    return this.call('POST', '/jobs/bulk', { body: { jobs } });
  }
  getJob(id: number): Promise<Job> {
    return this.call('GET', `/jobs/${id}`);
  }
  listJobs(q: JobQuery = {}): Promise<{ jobs: Job[]; nextCursor: string | null }> {
    const { submittedAfter, submittedBefore, topLevel, ...rest } = q;
    const state =
      q.state === undefined ? undefined : Array.isArray(q.state) ? q.state.join(',') : q.state;
    const query = { ...rest, state, submitted_after: submittedAfter, top_level: topLevel };
    return this.call('GET', '/jobs', { query: { ...query, submitted_before: submittedBefore } });
  }
  /** An array job's tasks counted by state and outcome. */
  taskSummary(id: number): Promise<TaskSummary> {
    return this.call('GET', `/jobs/${id}/tasks/summary`);
  }
  /** A running job's last usage samples (empty when none). */
  liveUsage(id: number): Promise<LiveUsage> {
    return this.call('GET', `/jobs/${id}/usage/live`);
  }
  /** Every job matching `q`, page by page. */
  async *allJobs(q: JobQuery = {}): AsyncGenerator<Job> {
    let cursor: string | undefined;
    do {
      const page = await this.listJobs({ ...q, ...(cursor !== undefined && { cursor }) });
      yield* page.jobs;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
  control(
    id: number,
    action: 'kill' | 'suspend' | 'resume' | 'reschedule',
    reason?: string,
  ): Promise<Requested> {
    return this.call('POST', `/jobs/${id}/${action}`, {
      body: reason === undefined ? {} : { reason },
    });
  }
  hold(id: number): Promise<{ jobId: number; state: JobState }> {
    return this.call('POST', `/jobs/${id}/hold`);
  }
  release(id: number): Promise<{ jobId: number; state: JobState }> {
    return this.call('POST', `/jobs/${id}/release`);
  }
  update(
    id: number,
    fields: { name?: string; description?: string; tags?: string[]; maxlifespan?: number | string },
  ): Promise<Job> {
    return this.call('POST', `/jobs/${id}/update`, { body: fields });
  }
  why(id: number): Promise<{ jobId: number; state: string; code: string | null; message: string }> {
    return this.call('GET', `/jobs/${id}/why`);
  }
  archive(id: number): Promise<Requested> {
    return this.call('POST', `/jobs/${id}/archive`);
  }
  files(id: number, path = ''): Promise<{ path: string; entries: FileEntry[] }> {
    return this.call('GET', `/jobs/${id}/files`, { query: { path } });
  }
  /** A file of the task directory, as a response whose body streams it. */
  download(id: number, path: string): Promise<Response> {
    return this.raw('GET', `/jobs/${id}/files/download`, { query: { path } });
  }
  /** The job's output (or its last `tail` lines) as text. */
  async logs(
    id: number,
    opts: { stream?: 'stdout' | 'stderr'; tail?: number } = {},
  ): Promise<string> {
    const res = await this.raw('GET', `/jobs/${id}/logs`, {
      query: { stream: opts.stream, tail: opts.tail },
    });
    return res.text();
  }
  /** The job's output as it grows, until the job ends (`end` event carries its exit code). */
  async *followLogs(
    id: number,
    opts: { stream?: 'stdout' | 'stderr'; tail?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<ServerEvent> {
    const res = await this.raw('GET', `/jobs/${id}/logs`, {
      query: { stream: opts.stream, tail: opts.tail, follow: true },
      stream: true,
      ...(opts.signal !== undefined && { signal: opts.signal }),
    });
    yield* readEvents(res);
  }
  /** Live events of the caller's jobs (or of one job). */
  async *events(opts: { job?: number; signal?: AbortSignal } = {}): AsyncGenerator<ServerEvent> {
    const res = await this.raw('GET', '/events', {
      query: { job: opts.job },
      stream: true,
      ...(opts.signal !== undefined && { signal: opts.signal }),
    });
    yield* readEvents(res);
  }

  // --- accounts -------------------------------------------------------------------------

  users(): Promise<{ users: unknown[] }> {
    return this.call('GET', '/users');
  }
  user(id: string): Promise<Record<string, unknown>> {
    return this.call('GET', `/users/${encodeURIComponent(id)}`);
  }
  createUser(user: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.call('POST', '/users', { body: user });
  }
  updateUser(id: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.call('POST', `/users/${encodeURIComponent(id)}`, { body: fields });
  }
  deleteUser(id: string): Promise<{ deleted: string }> {
    return this.call('DELETE', `/users/${encodeURIComponent(id)}`);
  }
  projects(): Promise<{ projects: Array<Record<string, unknown>> }> {
    return this.call('GET', '/projects');
  }
  project(id: string): Promise<Record<string, unknown>> {
    return this.call('GET', `/projects/${encodeURIComponent(id)}`);
  }
  createProject(project: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.call('POST', '/projects', { body: project });
  }
  updateProject(id: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.call('POST', `/projects/${encodeURIComponent(id)}`, { body: fields });
  }
  projectMembers(
    id: string,
    change: { add?: string[]; remove?: string[] },
  ): Promise<Record<string, unknown>> {
    return this.call('POST', `/projects/${encodeURIComponent(id)}/members`, { body: change });
  }
  deleteProject(id: string): Promise<{ deleted: string }> {
    return this.call('DELETE', `/projects/${encodeURIComponent(id)}`);
  }
  usage(
    q: { user?: string; project?: string; since?: string | number; until?: string | number } = {},
  ): Promise<{ days: Array<Record<string, unknown>>; totals: Record<string, number> }> {
    return this.call('GET', '/usage', { query: q });
  }
  /** Usage per hour or UTC day and project: yours; any user's (or everyone's) for admins. */
  usageHistory(
    q: {
      from?: number | string;
      to?: number | string;
      bucket?: 'hour' | 'day';
      user?: string;
      project?: string;
    } = {},
  ): Promise<UsageHistory> {
    return this.call('GET', '/usage/history', { query: q });
  }
  /** Where users and projects stand in the fair share (yours; everyone's for admins). */
  fairshare(): Promise<Fairshare> {
    return this.call('GET', '/fairshare');
  }
  /** Hosts, shards and what holds each core and GPU (others' jobs as 'busy'). */
  cluster(): Promise<Cluster> {
    return this.call('GET', '/cluster');
  }
  maintenance(): Promise<{ maintenance: boolean }> {
    return this.call('GET', '/maintenance');
  }
  /** Pauses (true) or resumes scheduling cluster-wide; administrators only. */
  setMaintenance(on: boolean): Promise<{ maintenance: boolean }> {
    return this.call('PUT', '/maintenance', { body: { maintenance: on } });
  }
  config(): Promise<Record<string, unknown>> {
    return this.call('GET', '/config');
  }
  /** The resolved configuration with every secret masked (administrators). */
  adminConfig(): Promise<Record<string, unknown>> {
    return this.call('GET', '/admin/config');
  }
  health(): Promise<{
    status: string;
    store: boolean;
    redis: boolean;
    scheduler: { leader: string | null; epoch: number } | null;
  }> {
    return this.call('GET', '/health');
  }

  // --- transport ------------------------------------------------------------------------

  /** Calls a route and parses its JSON answer; throws ApiError on an error answer. */
  async call<T>(
    method: string,
    path: string,
    opts: { body?: unknown; query?: Query } = {},
  ): Promise<T> {
    const res = await this.raw(method, path, opts);
    return (await res.json()) as T;
  }

  /** Calls a route and returns the successful response as is. */
  async raw(
    method: string,
    path: string,
    opts: { body?: unknown; query?: Query; stream?: boolean; signal?: AbortSignal } = {},
  ): Promise<Response> {
    // '' = the page's own origin: a browser resolves the path against it.
    const origin =
      this.base === ''
        ? (globalThis as { location?: { origin: string } }).location?.origin
        : undefined;
    const url = new URL(`${this.base}/api/v1${path}`, origin);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.opts.credential !== undefined)
      headers['Authorization'] = `Bearer ${this.opts.credential}`;
    const hasBody = opts.body !== undefined || method === 'POST';
    if (hasBody) headers['Content-Type'] = 'application/json';
    if (this.opts.csrf !== undefined && !SAFE_METHODS.has(method.toUpperCase()))
      headers['X-CSRF-Token'] = this.opts.csrf;
    const signal =
      opts.signal ??
      (opts.stream === true ? undefined : AbortSignal.timeout(this.opts.timeoutMs ?? 60_000));
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        // The session cookie goes to our own origin only, never to another one.
        credentials: 'same-origin',
        ...(hasBody && { body: JSON.stringify(opts.body ?? {}) }),
        ...(signal !== undefined && { signal }),
      });
    } catch (err) {
      const why =
        err instanceof Error
          ? err.cause instanceof Error
            ? err.cause.message
            : err.message
          : String(err);
      const where = this.base === '' ? 'the server' : this.base;
      throw new ApiError(0, 'UNAVAILABLE', `cannot reach god at ${where}: ${why}`);
    }
    if (res.ok) return res;
    throw await errorOf(res);
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  const after = Number(res.headers.get('Retry-After') ?? Number.NaN);
  const retryAfter = Number.isFinite(after) && after >= 0 ? after : undefined;
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; issues?: FieldIssue[] };
    };
    if (body.error?.code !== undefined)
      return new ApiError(
        res.status,
        body.error.code,
        body.error.message ?? text,
        body.error.issues ?? [],
        retryAfter,
      );
  } catch {
    // not JSON: a proxy's page, say
  }
  return new ApiError(
    res.status,
    `HTTP_${res.status}`,
    `HTTP ${res.status}: ${text.slice(0, 200)}`,
    [],
    retryAfter,
  );
}
