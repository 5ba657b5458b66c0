/** The OpenAPI document, health and metrics of a real web process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from './app.js';
import { WebHarness } from './test-helpers.js';

let h: WebHarness;

beforeAll(async () => {
  h = await WebHarness.start();
});
afterAll(async () => {
  await h?.stop();
});

type Doc = { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> };

describe('OpenAPI document', () => {
  it('documents every route of the API, with unique operation ids and error answers', async () => {
    const doc = (await (await fetch(`${h.url}/api/v1/openapi.json`)).json()) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routes = apiRoutes(h.web.ctx).map((r) => `${r.method.toUpperCase()} /api/v1${r.path}`);
    expect(documented.sort()).toEqual(routes.sort());
    const ids = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).map((op) => op['operationId']),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const item of Object.values(doc.paths))
      for (const op of Object.values(item)) expect(op['responses']).toHaveProperty('400');
    // The submission body is the job schema itself, in the form clients send.
    const submit = doc.paths['/api/v1/jobs']!['post']!['requestBody'] as {
      content: {
        'application/json': {
          schema: { properties: Record<string, unknown>; additionalProperties: boolean };
        };
      };
    };
    const schema = submit.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'meta',
        'requirements',
        'container',
        'command',
        'project',
        'env',
        'hold',
      ]),
    );
    expect(schema.additionalProperties).toBe(false);
  });

  it('changes state only through POST and DELETE, never GET', async () => {
    const doc = (await (await fetch(`${h.url}/api/v1/openapi.json`)).json()) as Doc;
    const verbs =
      /\/(kill|suspend|resume|reschedule|hold|release|update|archive|members|login|token|bulk)$/;
    for (const [path, item] of Object.entries(doc.paths)) {
      if (verbs.test(path)) expect(Object.keys(item), path).not.toContain('get');
    }
    // And GET on an action is simply not a route.
    const res = await fetch(`${h.url}/api/v1/jobs/1/kill`);
    expect(res.status).toBe(404);
  });
});

describe('health and metrics', () => {
  it('reports the store and Redis as healthy', async () => {
    const health = await h.client().health();
    expect(health).toMatchObject({ status: 'ok', store: true, redis: true });
  });

  it('exposes queue depth, jobs per state, decisions and request counts', async () => {
    const alice = await h.user('alice');
    await alice.client.submit({
      container: { image: 'god-test/busybox:latest' },
      command: { cmd: 'true' },
    });
    await h.web.ctx.redis.hincrby(h.web.ctx.keys.schedulerStats(), 'decisions', 42);
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toMatch(/^god_queue_depth 1$/m);
    expect(text).toMatch(/^god_jobs\{state="pending"\} 1$/m);
    expect(text).toMatch(/^god_running_jobs 0$/m);
    expect(text).toMatch(/^god_scheduler_decisions_total 42$/m);
    expect(text).toMatch(/^god_jobs_submitted_total 1$/m);
    expect(text).toMatch(
      /^god_http_requests_total\{method="POST",route="\/api\/v1\/jobs",status="201"\} 1$/m,
    );
    expect(text).toMatch(/^god_web_process_resident_memory_bytes \d+/m);
  });
});
