/**
 * The API under 10,000 requests generated from its own OpenAPI document (fast-check): mostly
 * well-formed, often subtly wrong, sometimes garbage; as a user, an administrator, nobody, or
 * with a forged credential. No answer may be a 5xx, every error must have the documented
 * shape, and the store must hold exactly the jobs the API said it accepted — all valid.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobView } from './api/schemas.js';
import { WebHarness, type TestUser } from './test-helpers.js';
import { operationsOf, submissionArb, valueOf, type Operation } from './test-fuzz.js';

const REQUESTS = 10_000;

let h: WebHarness;
let alice: TestUser;
let admin: TestUser;
let ops: Operation[];
const seeded: number[] = [];

beforeAll(async () => {
  h = await WebHarness.start();
  alice = await h.user('alice');
  admin = await h.user('root-admin');
  await h.user('bob');
  for (let i = 0; i < 3; i++) seeded.push((await h.jobOf(alice)).id);
  const done = await h.runToEnd(await h.jobOf(alice));
  seeded.push(done.id);
  await h.writeTaskFile(done, 'god.log', 'output\n');
  const res = await fetch(`${h.url}/api/v1/openapi.json`);
  ops = operationsOf((await res.json()) as { paths: Record<string, Record<string, unknown>> });
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

/** A generated request. */
interface Req {
  op: Operation;
  who: 'alice' | 'admin' | 'nobody' | 'forged';
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body: { kind: 'json'; value: unknown } | { kind: 'text'; value: string } | { kind: 'none' };
}

function requestArb(): fc.Arbitrary<Req> {
  const usable = ops.filter((o) => !o.streams);
  return fc.constantFrom(...usable).chain((op) => {
    const pathParams: Record<string, fc.Arbitrary<unknown>> = {};
    const queryParams: Record<string, fc.Arbitrary<unknown>> = {};
    for (const p of op.params) {
      if (p.in === 'path')
        pathParams[p.name] =
          p.name === 'id'
            ? fc.oneof(
                fc.constantFrom(...seeded),
                fc.integer({ min: -5, max: 10_000 }),
                fc.string({ maxLength: 8 }),
                fc.constant('ghost'),
              )
            : fc.oneof(valueOf(p.schema), fc.string({ maxLength: 8 }));
      // A followed log would stay open until its job ends: follow is exercised elsewhere.
      else if (p.name !== 'follow') queryParams[p.name] = valueOf(p.schema);
    }
    const submits =
      op.method === 'POST' && (op.path === '/api/v1/jobs' || op.path === '/api/v1/jobs/bulk');
    const json: fc.Arbitrary<unknown> | null = !submits
      ? null
      : op.path.endsWith('/bulk')
        ? fc.record({ jobs: fc.array(submissionArb(), { minLength: 1, maxLength: 5 }) })
        : submissionArb();
    const body: fc.Arbitrary<Req['body']> =
      json !== null
        ? fc.oneof(
            { weight: 4, arbitrary: json.map((value) => ({ kind: 'json' as const, value })) },
            {
              weight: 1,
              arbitrary: valueOf(op.body ?? {}).map((value) => ({ kind: 'json' as const, value })),
            },
          )
        : op.body === null
          ? fc.constant({ kind: 'none' as const })
          : fc.oneof(
              {
                weight: 8,
                arbitrary: valueOf(op.body).map((value) => ({ kind: 'json' as const, value })),
              },
              {
                weight: 1,
                arbitrary: fc
                  .string({ maxLength: 40 })
                  .map((value) => ({ kind: 'text' as const, value })),
              },
            );
    return fc.record({
      op: fc.constant(op),
      who: fc.constantFrom('alice', 'alice', 'alice', 'admin', 'nobody', 'forged'),
      path: fc.record(pathParams, { requiredKeys: Object.keys(pathParams) }),
      query: fc.record(queryParams, { requiredKeys: [] }),
      body,
    });
  });
}

/** Sends a generated request; resolves to its status and parsed body. */
async function send(r: Req): Promise<{ status: number; body: unknown }> {
  let path = r.op.path;
  for (const [k, v] of Object.entries(r.path))
    path = path.replace(`{${k}}`, encodeURIComponent(String(v)));
  const url = new URL(`${h.url}${path}`);
  for (const [k, v] of Object.entries(r.query))
    if (v !== undefined) url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  const credential =
    r.who === 'alice'
      ? alice.key
      : r.who === 'admin'
        ? admin.key
        : r.who === 'forged'
          ? 'god_0000000000000000_' + 'A'.repeat(43)
          : null;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (credential !== null) headers['Authorization'] = `Bearer ${credential}`;
  const body =
    r.body.kind === 'json'
      ? JSON.stringify(r.body.value)
      : r.body.kind === 'text'
        ? r.body.value
        : undefined;
  const res = await fetch(url, {
    method: r.op.method,
    headers,
    ...(body !== undefined && { body }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // downloads and logs answer text
  }
  return { status: res.status, body: parsed };
}

describe('fuzzing the API from its OpenAPI document', () => {
  it(`answers ${REQUESTS} generated requests without a 5xx or a half-written job`, async () => {
    const samples = fc.sample(requestArb(), { numRuns: REQUESTS, seed: 20261201 });
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    let accepted = 0;
    const before = (await h.store.listJobs({}, { limit: 10_000 })).jobs.length;
    // A few at a time, as clients would.
    for (let i = 0; i < samples.length; i += 8) {
      const batch = samples.slice(i, i + 8);
      const answers = await Promise.all(batch.map(send));
      answers.forEach((a, j) => {
        const r = batch[j]!;
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status >= 500)
          serverErrors.push(
            `${r.op.method} ${r.op.path} -> ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`,
          );
        if (a.status >= 400) {
          expect(a.body, `${r.op.method} ${r.op.path}`).toMatchObject({
            error: { code: expect.any(String) as unknown, message: expect.any(String) as unknown },
          });
        }
        if (a.status === 201 && r.op.path === '/api/v1/jobs' && r.op.method === 'POST')
          accepted += 1;
        if (a.status === 201 && r.op.path === '/api/v1/jobs/bulk')
          accepted += (a.body as { count: number }).count;
      });
    }
    process.stdout.write(
      `fuzz: ${REQUESTS} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, ${accepted} jobs accepted\n`,
    );
    expect(serverErrors).toEqual([]);
    // Both accepted and refused submissions happened, so the check below means something.
    expect(accepted).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(REQUESTS / 10);
    const stored: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await h.store.listJobs({}, { limit: 10_000, cursor });
      stored.push(...page.jobs);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(stored.length).toBe(before + accepted);
    for (const job of stored) JobView.parse(job);
  }, 600_000);
});
