/**
 * Component tests' harness: the app's real routes and providers on a memory router, and a
 * GodClient whose fetch answers from a table of routes (the network layer is the client's;
 * its own tests run it against a real server).
 */
import { cleanup, render, type RenderResult } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { createMemoryRouter } from 'react-router';
import { GodClient, type Session } from '@god/client';
import type { Job } from '@god/core/browser';
import { App, routes } from './app.js';

// Unmounts what a test rendered and restores fetch (each test file loads this module anew:
// the unit-ui project isolates files).
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** An answer: a JSON body with a status (200 by default). */
export interface Answer {
  status?: number;
  body?: unknown;
  /** A body sent as is (server-sent events, text), instead of `body` as JSON. */
  raw?: string;
  type?: string;
}

/** `METHOD /path` (without /api/v1 and query) → answer, or a function of the request. */
export type Routes = Record<string, Answer | ((req: { url: URL; body: unknown }) => Answer)>;

/** The requests the fake server saw. */
export interface Seen {
  method: string;
  url: URL;
  body: unknown;
  headers: Headers;
}

/** A client over a fetch that answers from `table` (404 JSON for anything else). */
export function fakeClient(table: Routes): { client: GodClient; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch = vi.fn((input: URL | string, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    seen.push({ method, url, body, headers: new Headers(init.headers) });
    const route = table[`${method} ${url.pathname.replace(/^\/api\/v1/, '')}`];
    const a: Answer =
      route === undefined
        ? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'not found' } } }
        : typeof route === 'function'
          ? route({ url, body })
          : route;
    const status = a.status ?? 200;
    return Promise.resolve(
      new Response(status === 204 ? null : (a.raw ?? JSON.stringify(a.body ?? {})), {
        status,
        headers: { 'Content-Type': a.type ?? 'application/json' },
      }),
    );
  });
  vi.stubGlobal('fetch', fetch);
  return { client: new GodClient({ server: 'http://god.test' }), seen };
}

/** Renders the whole app at `path`. */
export function renderApp(
  path: string,
  client: GodClient,
  session: Session | null = null,
): RenderResult & { router: ReturnType<typeof createMemoryRouter> } {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const r = render(<App client={client} router={router} session={session} />);
  return { ...r, router };
}

/** A logged-in session. */
export const ALICE: Session = { user: 'alice', admin: false, expiresAt: 0, csrf: 'csrf-1' };

/** A job as the API answers it, with `patch` over sensible defaults. */
export function makeJob(patch: Partial<Job> & { id: number }): Job {
  return {
    state: 'pending',
    outcome: null,
    user: { id: 'alice', uid: 1000, gid: 1000, sgids: [], project: 'default' },
    meta: { name: 'job', description: '', tags: [] },
    requirements: {
      cpu: 1,
      ram: 2 ** 30,
      gpus: 0,
      array: null,
      label: [],
      tasks: [],
      ports: [],
      tmpstorage: null,
      maxlifespan: 0,
      executor: null,
      group: null,
    },
    container: { image: 'busybox', volumes: [], root: false },
    command: { cmd: 'echo hi', interactive: false },
    env: {},
    parent: null,
    taskId: null,
    status: {
      primary: 'pending',
      secondary: '',
      reason: '',
      exitcode: null,
      dates: {
        submitted: Date.now() - 60_000,
        scheduled: null,
        started: null,
        ended: null,
        archived: null,
      },
    },
    why: null,
    placement: null,
    epoch: 0,
    attempts: 0,
    usage: null,
    ...patch,
  };
}
