/**
 * Every route of `/api/v1` and `/api/1.0`, fuzzed against a real `god web` with fast-check as
 * alice, bob, an administrator, nobody and a forged credential, with the odd values of
 * odd-values.ts. Alice and bob each own jobs whose names, descriptions, tags, scripts, task
 * file names and output are unique canary strings. For every answer:
 * - never a 5xx, never a hang;
 * - a refused request (4xx) changed nothing: store (jobs of everyone, users, projects, API keys)
 *   and every Redis key but the login-failure counters are as they were;
 * - no answer to alice holds a canary of bob's or one of his job ids she did not send, and the
 *   other way round; no answer to nobody or a forged credential holds anyone's;
 * and a job alice may not see answers exactly as a job that does not exist.
 */
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { taskDirOf, type Job } from '@god/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submissionArb, valueOf, type Operation } from '../../packages/web/src/test-fuzz.js';
import { startGodWeb, type God, type Principal } from './god.js';
import {
  BAD_CREDENTIALS,
  bodyBytes,
  deepJson,
  oddQueryValue,
  oddSegment,
  oddString,
  pct,
  rawJsonOf,
} from './odd-values.js';
import { compatOperations, v1Operations, v1RouteCount } from './routes.js';
import { createSnapshots, differences, snapshot, type Snapshot } from './snapshot.js';
import { send, type Answer } from './wire.js';

/** Requests of the main property (sequential: each refusal is checked against its own snapshot). */
const REQUESTS = Number(process.env['GOD_SECURITY_FUZZ_RUNS'] ?? 3_000);
const SEED = Number(process.env['GOD_SECURITY_SEED'] ?? 19_2026);
/** A job id nobody has. */
const GHOST = 987_654;

type Who = 'alice' | 'bob' | 'admin' | 'none' | 'bad';

/** What each user owns: canary strings, job ids, API key id. */
interface Owned {
  canaries: string[];
  jobs: number[];
  keyId: string;
}

let god: God;
let ops: Operation[];
const owned = {} as Record<'alice' | 'bob' | 'admin', Owned>;

function principalOf(who: 'alice' | 'bob' | 'admin'): Principal {
  return who === 'alice' ? god.alice : who === 'bob' ? god.bob : god.admin;
}

/** Jobs of `p` named with canaries, one of them over with canary files in its task directory. */
async function seed(p: Principal): Promise<Owned> {
  const c = `${p.id.toUpperCase().replace(/-/g, '')}CANARY${randomBytes(6).toString('hex')}`;
  const canaries = [`${c}n`, `${c}d`, `${c}t`, `${c}s`, `${c}f`, `${c}o`, `${c}e`];
  const [name, desc, tag, script, file, out, err] = canaries as [string, ...string[]];
  const jobs: Job[] = [];
  for (let i = 0; i < 3; i++)
    jobs.push(
      await god.jobOf(p, {
        meta: { name, description: desc, tags: [tag!] },
        command: { cmd: `echo ${script}` },
      }),
    );
  const over = await god.runToEnd(jobs[2]!);
  const dir = taskDirOf(god.config.shared_dir, over);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${file}.txt`), `${out}\n`);
  await writeFile(join(dir, 'god.log'), `${out}\n`);
  await writeFile(join(dir, 'god.err'), `${err}\n`);
  for (const f of ['', `${file}.txt`, 'god.log', 'god.err'])
    await chown(join(dir, f), p.uid, p.uid);
  await chmod(dir, 0o700);
  const keyId = p.key.split('_')[1]!;
  return { canaries, jobs: jobs.map((j) => j.id), keyId };
}

beforeAll(async () => {
  god = await startGodWeb(['auth.share_project_tasks=false']);
  owned.alice = await seed(god.alice);
  owned.bob = await seed(god.bob);
  owned.admin = await seed(god.admin);
  ops = [...(await v1Operations(god.url)), ...compatOperations()];
}, 120_000);

afterAll(async () => {
  await god?.stop();
});

/** A generated request. */
interface Req {
  who: Who;
  op: Operation;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

/** Values for a path parameter of `op`, as `who` would try them. */
function segmentFor(op: Operation, name: string, who: Who): fc.Arbitrary<string> {
  const others = (['alice', 'bob', 'admin'] as const).filter((w) => w !== who);
  const jobIds = [
    ...Object.values(owned).flatMap((o) => o.jobs),
    GHOST,
    0,
    -1,
    '1e1',
    '9007199254740993',
    '01',
  ];
  const logins = ['alice', 'bob', 'root-admin', 'ALICE', 'nobody', 'a..b', '_x'];
  const mutating = op.method !== 'GET';
  if (name === 'id' && /\/(jobs|task)\/\{id\}/.test(op.path)) return oddSegment(jobIds);
  if (name === 'id' && /\/keys\/\{id\}/.test(op.path))
    // Nobody revokes their own key here (the run needs it); the admin revokes no seeded key.
    return oddSegment(who === 'admin' ? ['0123456789abcdef'] : others.map((w) => owned[w].keyId));
  if (name === 'id' && /\/users?\/\{id\}/.test(op.path))
    return oddSegment(who === 'admin' && mutating ? ['mallory', 'MALLORY', 'eve'] : logins);
  if (name === 'id' && /\/projects\/\{id\}/.test(op.path))
    return oddSegment(['default', 'p1', 'P1']);
  const schema = op.params.find((p) => p.name === name)?.schema ?? {};
  return fc.oneof(
    valueOf(schema).map((v) => pct(String(v))),
    oddSegment([0, 1, 100_000, -1]),
  );
}

function queryFor(op: Operation): fc.Arbitrary<string> {
  // A followed log stays open until its job ends: streams are exhaustion.test.ts's business.
  const names = op.params.filter((p) => p.in === 'query' && p.name !== 'follow');
  const pairs = names.map((p) =>
    fc.option(
      fc.oneof(
        valueOf(p.schema).map(
          (v) => `${p.name}=${pct(typeof v === 'string' ? v : JSON.stringify(v))}`,
        ),
        oddQueryValue().map((v) => `${p.name}=${v}`),
        // Repeated, bracketed and polluting forms.
        fc.constantFrom(
          `${p.name}=a&${p.name}=b`,
          `${p.name}[]=x`,
          `${p.name}[__proto__]=1`,
          p.name,
        ),
      ),
      { freq: 2 },
    ),
  );
  const extra = fc.option(
    fc.constantFrom(
      '__proto__[admin]=1',
      'constructor[prototype][admin]=1',
      'user=bob',
      'all=true',
    ),
    { freq: 5 },
  );
  return fc.tuple(fc.tuple(...pairs), extra).map(([ps, ex]) => {
    const q = [...ps, ex].filter((x): x is string => x !== null);
    return q.length === 0 ? '' : `?${q.join('&')}`;
  });
}

function bodyFor(op: Operation): fc.Arbitrary<Buffer | null> {
  const schema = op.body;
  const submits = /\/api\/v1\/jobs(\/bulk)?$/.test(op.path) && op.method === 'POST';
  const value: fc.Arbitrary<unknown> =
    schema === null
      ? fc.jsonValue({ maxDepth: 2 })
      : schema.default !== undefined
        ? fc.constant(schema.default)
        : submits
          ? op.path.endsWith('/bulk')
            ? fc.record({ jobs: fc.array(submissionArb(), { minLength: 1, maxLength: 3 }) })
            : submissionArb()
          : valueOf(schema);
  const exact = value.map((v) => Buffer.from(JSON.stringify(v) ?? 'null'));
  const odd = fc.oneof(
    { weight: 5, arbitrary: value.chain((v) => rawJsonOf(v)) },
    { weight: 1, arbitrary: deepJson() },
    { weight: 1, arbitrary: oddString().map((s) => JSON.stringify(s)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '{', '{"a":1,}', 'null', 'true', '[]', "{'a':1}", '\u0000'),
    },
  );
  const body = fc.oneof({ weight: 1, arbitrary: exact }, { weight: 1, arbitrary: bodyBytes(odd) });
  return schema === null ? fc.option(body, { freq: 4 }) : body;
}

function requestArb(): fc.Arbitrary<Req> {
  const usable = ops.filter((o) => !o.streams);
  // Submissions weigh more: accepted jobs are what the other checks need to be worth anything.
  const submits = usable.filter(
    (o) => o.method === 'POST' && /\/(jobs|jobs\/bulk|task)$/.test(o.path),
  );
  return fc
    .tuple(
      fc.constantFrom(...usable, ...submits, ...submits, ...submits),
      fc.constantFrom<Who>('alice', 'alice', 'bob', 'bob', 'admin', 'none', 'bad'),
    )
    .chain(([op, who]) => {
      const names = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      return fc.record({
        who: fc.constant(who),
        op: fc.constant(op),
        segments: fc.tuple(...names.map((n) => segmentFor(op, n, who))),
        query: queryFor(op),
        body: bodyFor(op),
        contentType: fc.constantFrom(
          'application/json',
          'application/json',
          'application/json',
          'application/json',
          'application/json; charset=utf-8',
          'application/json; charset=latin1',
          'text/plain',
          'application/x-www-form-urlencoded',
          '',
        ),
        bad: fc.constantFrom(...BAD_CREDENTIALS),
      });
    })
    .map(({ who, op, segments, query, body, contentType, bad }) => {
      let i = 0;
      const path = op.path.replace(/\{[^}]+\}/g, () => segments[i++]!) + query;
      const headers: Record<string, string> = {};
      if (contentType !== '') headers['Content-Type'] = contentType;
      if (who === 'bad') headers['Authorization'] = bad.startsWith('Basic') ? bad : `Bearer ${bad}`;
      else if (who !== 'none') headers['Authorization'] = `Bearer ${principalOf(who).key}`;
      return { who, op, path, headers, body };
    });
}

/** Canaries and job ids `who` must never be shown. */
function forbiddenFor(who: Who): { canaries: string[]; jobs: Set<number> } {
  const others: Array<'alice' | 'bob' | 'admin'> =
    who === 'alice'
      ? ['bob', 'admin']
      : who === 'bob'
        ? ['alice', 'admin']
        : who === 'admin'
          ? []
          : ['alice', 'bob', 'admin'];
  return {
    canaries: others.flatMap((o) => owned[o].canaries),
    jobs: new Set(others.flatMap((o) => owned[o].jobs)),
  };
}

const ID_FIELDS = new Set(['id', 'jobId', 'job', 'parent', 'jobs', 'dependencies', 'dependents']);

/** Job ids under id-like fields of a JSON answer. */
function idsIn(value: unknown, under = '', out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) idsIn(v, under, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) idsIn(v, k, out);
  else if (
    ID_FIELDS.has(under) &&
    (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)))
  )
    out.push(Number(value));
  return out;
}

/** What is wrong with an answer to `r` (empty when nothing). */
function leaksIn(r: Req, a: Answer): string[] {
  const { canaries, jobs } = forbiddenFor(r.who);
  const seen = `${JSON.stringify(a.headers)}\n${a.text}`;
  const found: string[] = canaries.filter(
    (c) => seen.includes(c) || seen.toLowerCase().includes(c.toLowerCase()),
  );
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(a.text);
  } catch {
    // not JSON: canaries were searched in the text
  }
  const sent = `${r.path}\n${r.body?.toString('latin1') ?? ''}`;
  for (const id of idsIn(parsed))
    if (jobs.has(id) && !sent.includes(String(id))) found.push(`job id ${id}`);
  return found;
}

function describeReq(r: Req): string {
  const body =
    r.body === null ? '' : ` body ${JSON.stringify(r.body.toString('utf8').slice(0, 300))}`;
  return `${r.who}: ${r.op.method} ${r.path.slice(0, 300)}${body}`;
}

describe('every route under attack by two users, an administrator and strangers', () => {
  it('fuzzes every route: the OpenAPI document hides none of /api/v1', () => {
    const v1 = ops.filter((o) => o.path.startsWith('/api/v1'));
    expect(v1.length).toBe(v1RouteCount());
    expect(ops.filter((o) => o.path.startsWith('/api/1.0')).length).toBeGreaterThan(10);
  });

  it(`answers ${REQUESTS} hostile requests: no 5xx, no hang, no change on refusal, no other user's data`, async () => {
    const samples = fc.sample(requestArb(), { numRuns: REQUESTS, seed: SEED });
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    const snapshots = createSnapshots(god.config.store.sqlite.path, god.store, god.redis, god.keys);
    let before: Snapshot = await snapshots.take();
    const t0 = Date.now();
    for (const r of samples) {
      const a = await send(god.url, {
        method: r.op.method,
        path: r.path,
        headers: r.headers,
        body: r.body,
      });
      const after = await snapshots.take();
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      // Node refuses a request head over 16 KiB with 431 and closes at once: a client still
      // sending its body may see the reset instead of the 431. Anything else is a finding.
      const head = r.path.length + Object.values(r.headers).join('').length;
      const headTooLarge = head > 16_000 && /ECONNRESET|EPIPE/.test(a.error ?? '');
      if (a.status === 0 && !headTooLarge)
        problems.push(`no answer (${a.error}) to ${describeReq(r)}`);
      if (a.status >= 500)
        problems.push(`${a.status} ${a.text.slice(0, 200)} to ${describeReq(r)}`);
      if (a.status >= 400 || a.status === 0) {
        const changed = differences(before, after);
        if (changed.length > 0)
          problems.push(
            `refused (${a.status}) yet changed ${changed.join(', ')}: ${describeReq(r)}`,
          );
      }
      const leaks = leaksIn(r, a);
      if (leaks.length > 0) problems.push(`leaked ${leaks.join(', ')} to ${describeReq(r)}`);
      before = after;
    }
    snapshots.close();
    process.stdout.write(
      `security fuzz: ${REQUESTS} requests in ${Date.now() - t0} ms, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`,
    );
    expect(problems.slice(0, 30)).toEqual([]);
    // The run reached handlers, not only validation.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(REQUESTS / 20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(REQUESTS / 20);
  }, 240_000);
});

/** An answer with `ids` written as `<id>`, for comparing two answers that differ only there. */
function normalized(a: Answer, ids: readonly string[]): string {
  let text = a.text;
  for (const id of ids)
    text = text.replace(new RegExp(`(?<![A-Za-z0-9])${id}(?![A-Za-z0-9])`, 'g'), '<id>');
  return `${a.status} ${text}`;
}

/** Pairs (something alice may not see, something that does not exist) for a path parameter. */
function hiddenAndGhost(op: Operation): Array<[string, string]> | null {
  if (/\/(jobs|task)\/\{id\}/.test(op.path))
    return [
      [String(owned.bob.jobs[0]), String(GHOST)],
      [String(owned.bob.jobs[2]), String(GHOST + 1)],
    ];
  if (/\/users?\/\{id\}/.test(op.path)) return [['bob', 'ghost']];
  if (/\/keys\/\{id\}/.test(op.path)) return [[owned.bob.keyId, 'fedcba9876543210']];
  return null;
}

describe('paths that are not percent-encoded UTF-8', () => {
  it('answer 400 naming the path on every route with a path parameter', async () => {
    const withParams = ops.filter((o) => o.path.includes('{') && !o.streams);
    const problems: string[] = [];
    for (const op of withParams)
      for (const bad of ['%', '%zz', '%ff', '%c0%af', '%ed%a0%80']) {
        const path = op.path.replace(/\{[^}]+\}/g, bad);
        const a = await send(god.url, {
          method: op.method,
          path,
          headers: { Authorization: `Bearer ${god.alice.key}` },
        });
        if (a.status !== 400) problems.push(`${op.method} ${path}: ${a.status}`);
      }
    expect(problems).toEqual([]);
  });
});

describe('what alice may not see is answered like what does not exist', () => {
  it('answers every route with one of bob’s ids exactly as with an id nobody has', async () => {
    const targets = ops.filter((o) => !o.streams && hiddenAndGhost(o) !== null);
    expect(targets.length).toBeGreaterThan(15);
    const arb = fc.tuple(fc.constantFrom(...targets), fc.nat()).chain(([op, k]) =>
      fc.record({
        op: fc.constant(op),
        query: queryFor(op),
        body: bodyFor(op),
        k: fc.constant(k),
      }),
    );
    const problems: string[] = [];
    for (const { op, query, body, k } of fc.sample(arb, { numRuns: 300, seed: SEED + 1 })) {
      const pairs = hiddenAndGhost(op)!;
      const [hidden, ghost] = pairs[k % pairs.length]!;
      // A random query or body that happens to spell an id (a field named `!4` with bob's job
      // 4) is echoed in one answer's message only: such a sample tells nothing, skip it.
      const sent = `${query} ${body?.toString('utf8') ?? ''}`;
      if (
        normalized({ status: 0, headers: {}, text: sent, ms: 0 }, [hidden, ghost]) !== `0 ${sent}`
      )
        continue;
      const headers = {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${god.alice.key}`,
      };
      const at = (id: string): string => op.path.replace('{id}', id) + query;
      const a = await send(god.url, { method: op.method, path: at(hidden), headers, body });
      const b = await send(god.url, { method: op.method, path: at(ghost), headers, body });
      if (normalized(a, [hidden]) !== normalized(b, [ghost]))
        problems.push(
          `${op.method} ${op.path}: ${normalized(a, [hidden]).slice(0, 200)} ≠ ${normalized(b, [ghost]).slice(0, 200)}`,
        );
    }
    expect(problems.slice(0, 20)).toEqual([]);
  }, 120_000);

  it('a dependency on a job of bob’s is answered like one on no job', async () => {
    const headers = {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${god.alice.key}`,
    };
    const submit = (dep: number): Promise<Answer> =>
      send(god.url, {
        method: 'POST',
        path: '/api/v1/jobs',
        headers,
        body: Buffer.from(
          JSON.stringify({
            container: { image: 'god-test/busybox:latest' },
            command: { cmd: 'true' },
            requirements: { tasks: [{ id: dep, kind: 'afternotok' }] },
          }),
        ),
      });
    const a = await submit(owned.bob.jobs[2]!);
    const b = await submit(GHOST);
    expect(a.status).toBe(b.status);
    if (a.status === 201) {
      const idA = String((JSON.parse(a.text) as { id: number }).id);
      const idB = String((JSON.parse(b.text) as { id: number }).id);
      const why = async (id: string): Promise<Answer> =>
        send(god.url, { method: 'GET', path: `/api/v1/jobs/${id}/why`, headers });
      expect(normalized(await why(idA), [idA, String(owned.bob.jobs[2])])).toBe(
        normalized(await why(idB), [idB, String(GHOST)]),
      );
    } else {
      expect(normalized(a, [String(owned.bob.jobs[2])])).toBe(normalized(b, [String(GHOST)]));
    }
  });
});

describe('the oracles of this file can fail', () => {
  it('sees bob’s canaries in an answer that has them, and a change in the store', async () => {
    const headers = { Authorization: `Bearer ${god.admin.key}` };
    const r: Req = { who: 'alice', op: ops[0]!, path: '/api/v1/jobs', headers, body: null };
    const a = await send(god.url, { method: 'GET', path: '/api/v1/jobs', headers });
    expect(a.status).toBe(200);
    expect(leaksIn(r, a).length).toBeGreaterThan(0);
    const before = await snapshot(god.store, god.redis, god.keys);
    const snapshots = createSnapshots(god.config.store.sqlite.path, god.store, god.redis, god.keys);
    const cheap = await snapshots.take();
    // A write by another process (the web's), as a refused request would make it.
    const sub = await send(god.url, {
      method: 'POST',
      path: '/api/v1/jobs',
      headers: { Authorization: `Bearer ${god.bob.key}`, 'Content-Type': 'application/json' },
      body: Buffer.from(
        '{"container":{"image":"god-test/busybox:latest"},"command":{"cmd":"true"}}',
      ),
    });
    expect(sub.status).toBe(201);
    expect(differences(cheap, await snapshots.take())).toContain('store');
    snapshots.close();
    expect(differences(before, await snapshot(god.store, god.redis, god.keys))).toContain('store');
  });
});
