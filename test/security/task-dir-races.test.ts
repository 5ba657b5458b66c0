/**
 * File-system attacks on task directories, by a job acting with its own uid (job-actor.ts) on a
 * directory laid out by the product's own code (prepareTaskDir), while alice browses, downloads
 * and reads logs through a real `god web` running as root. Outside the task directory sit a
 * root-only secret file and directory, and bob's task directory: not one byte of them, nor their
 * names, sizes or times, may come out; no request may hang (FIFOs) or fail with a 5xx (deep
 * trees, odd names).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { taskDirOf, type Job } from '@god/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareTaskDir } from '../../plugins/executor-docker/src/task-dir.js';
import { startGodWeb, type God } from './god.js';
import { actAs, type Step } from './job-actor.js';
import { closeIdle, send, type Answer } from './wire.js';

const HANG_MS = 10_000;
/** Sizes and a time no file of the task directories has, to spot leaked metadata. */
const SECRET_SIZE = 7_777;
const BOB_SIZE = 6_666;
const SECRET_TIME = new Date('2001-02-03T04:05:06Z');

let god: God;
let job: Job;
let dir: string;
let bobFile: string;
let outside: string;
const secret = `OUTSIDESECRET${randomBytes(8).toString('hex')}`;
const bobSecret = `BOBSECRET${randomBytes(8).toString('hex')}`;
const outsideName = `OUTSIDENAME${randomBytes(8).toString('hex')}`;

/** Text of exactly `size` bytes that starts with `marker`. */
const padded = (marker: string, size: number): string => marker + '.'.repeat(size - marker.length);

beforeAll(async () => {
  god = await startGodWeb();
  // The users reach their task directories; the rest of the temp dir stays root's.
  await chmod(god.dir, 0o711);
  outside = join(god.dir, 'outside');
  await mkdir(outside, { mode: 0o700 });
  await writeFile(join(outside, 'secret'), padded(secret, SECRET_SIZE), { mode: 0o600 });
  await writeFile(join(outside, 'f'), padded(secret, SECRET_SIZE), { mode: 0o600 });
  await writeFile(join(outside, outsideName), padded(secret, SECRET_SIZE), { mode: 0o600 });
  for (const f of ['secret', 'f', outsideName, ''])
    await utimes(join(outside, f), SECRET_TIME, SECRET_TIME);
  job = await god.runToEnd(await god.jobOf(god.alice));
  dir = taskDirOf(god.config.shared_dir, job);
  await prepareTaskDir(dir, 'echo hi\n', { uid: god.alice.uid, gid: god.alice.uid }, god.alice.uid);
  const bobJob = await god.runToEnd(await god.jobOf(god.bob));
  const bobDir = taskDirOf(god.config.shared_dir, bobJob);
  await prepareTaskDir(bobDir, 'echo hi\n', { uid: god.bob.uid, gid: god.bob.uid }, god.bob.uid);
  bobFile = join(bobDir, 'results.txt');
  await actAs(god.bob.uid, bobDir, {
    kind: 'once',
    steps: [{ op: 'write', path: 'results.txt', text: padded(bobSecret, BOB_SIZE) }],
  });
  await actAs(god.alice.uid, dir, {
    kind: 'once',
    steps: [
      { op: 'write', path: 'god.log', text: 'harmless output\n' },
      { op: 'write', path: 'ok.txt', text: 'harmless\n' },
      { op: 'mkdir', path: 'x/' },
      { op: 'write', path: 'x/f', text: 'harmless\n' },
    ],
  });
}, 120_000);

afterAll(async () => {
  await god?.stop();
});

function get(path: string, query: Record<string, string> = {}): Promise<Answer> {
  const q = new URLSearchParams(query).toString();
  return send(god.url, {
    method: 'GET',
    path: `/api/v1/jobs/${job.id}${path}${q === '' ? '' : `?${q}`}`,
    headers: { Authorization: `Bearer ${god.alice.key}` },
    timeoutMs: HANG_MS,
  });
}
const list = (path = ''): Promise<Answer> => get('/files', { path });
const download = (path: string): Promise<Answer> => get('/files/download', { path });

/** What an answer shows that it must not: secrets, outside names, outside metadata, a 5xx, a hang. */
function exposed(a: Answer, what: string): string[] {
  const out: string[] = [];
  if (a.status === 0) out.push(`${what}: no answer (${a.error})`);
  if (a.status >= 500) out.push(`${what}: ${a.status}`);
  for (const s of [secret, bobSecret, outsideName])
    if (a.text.includes(s)) out.push(`${what}: served ${s.slice(0, 12)}…`);
  return out;
}

/** Entries of a listing answer that carry the size or time of a file outside. */
function outsideMetadata(a: Answer): string[] {
  if (a.status !== 200) return [];
  const { entries } = JSON.parse(a.text) as {
    entries: Array<{ name: string; size: number; mtime: number }>;
  };
  return entries
    .filter(
      (e) =>
        e.size === SECRET_SIZE ||
        e.size === BOB_SIZE ||
        Math.abs(e.mtime - SECRET_TIME.getTime()) < 1_000,
    )
    .map((e) => `${e.name} shows size ${e.size}, mtime ${new Date(e.mtime).toISOString()}`);
}

const LINKS: Array<[string, string]> = [
  ['s', '' /* outside/secret */],
  ['sd', '' /* outside */],
  ['b', '' /* bob's file */],
  ['bd', '' /* bob's directory */],
  ['env', '/proc/self/environ'],
  ['shadow', '/etc/shadow'],
  ['loop1', 'loop2'],
  ['loop2', 'loop1'],
  ['up', '../../..'],
];

describe('links planted by the job', () => {
  beforeAll(async () => {
    const targets: Record<string, string> = {
      s: join(outside, 'secret'),
      sd: outside,
      b: bobFile,
      bd: join(bobFile, '..'),
    };
    await actAs(god.alice.uid, dir, {
      kind: 'once',
      steps: LINKS.map(([path, t]): Step => ({ op: 'symlink', path, target: targets[path] ?? t })),
    });
  });

  it('never serves a byte through a link out of the task directory, nor lists through one', async () => {
    const problems: string[] = [];
    for (const [name] of LINKS) {
      const d = await download(name);
      problems.push(...exposed(d, `download ${name}`));
      if (d.status === 200) problems.push(`download ${name}: 200`);
      const l = await list(name);
      problems.push(...exposed(l, `list ${name}`));
      if (l.status === 200) problems.push(`list ${name}: 200`);
      for (const sub of ['secret', 'f', 'results.txt'])
        problems.push(...exposed(await download(`${name}/${sub}`), `download ${name}/${sub}`));
    }
    expect(problems).toEqual([]);
  });

  const meta =
    'a listing shows no size or time of what a link points to outside the task directory';
  it(meta, async () => {
    const a = await list('');
    expect(exposed(a, 'list')).toEqual([]);
    expect(outsideMetadata(a)).toEqual([]);
  });
});

describe('files swapped for links while god reads them', () => {
  /** Runs `steps` in a loop as alice while `probe` runs again and again; problems found. */
  async function race(
    steps: Step[],
    probe: () => Promise<string[]>,
    ms = 3_000,
  ): Promise<{ problems: string[]; rounds: number; probes: number }> {
    const stop = join(dir, `.stop-${randomBytes(4).toString('hex')}`);
    const actor = actAs(god.alice.uid, dir, { kind: 'loop', steps, stop, ms });
    const problems: string[] = [];
    let probes = 0;
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const found = await Promise.all([probe(), probe(), probe(), probe()]);
      probes += 4;
      problems.push(...found.flat());
    }
    const rounds = Number(await actor);
    return { problems: [...new Set(problems)], rounds, probes };
  }

  /** A regular file `name`, then a link to `target` in its place, atomically each time. */
  const swapFile = (name: string, target: string): Step[] => [
    { op: 'write', path: `${name}.reg`, text: 'harmless\n' },
    { op: 'rename', from: `${name}.reg`, to: name },
    { op: 'symlink', target, path: `${name}.lnk` },
    { op: 'rename', from: `${name}.lnk`, to: name },
  ];
  /** The directory `x` moved away and a link to `outside` put in its place, then back. */
  const swapDir = (): Step[] => [
    { op: 'rename', from: 'x', to: 'x.real' },
    { op: 'symlink', target: outside, path: 'x' },
    { op: 'unlink', path: 'x' },
    { op: 'rename', from: 'x.real', to: 'x' },
  ];

  it('never serves the secret when a downloaded file, the log, or a directory on the way is swapped for a link', async () => {
    const r = await race(
      [
        ...swapFile('r', join(outside, 'secret')),
        ...swapFile('god.log', join(outside, 'secret')),
        ...swapDir(),
      ],
      async () => [
        ...exposed(await download('r'), 'download r'),
        ...exposed(await get('/logs'), 'logs'),
        ...exposed(await get('/logs', { tail: '5' }), 'logs tail'),
        ...exposed(await download('x/f'), 'download x/f'),
      ],
    );
    process.stdout.write(`download race: ${r.rounds} swaps, ${r.probes} probes\n`);
    expect(r.rounds).toBeGreaterThan(10);
    expect(r.problems).toEqual([]);
  }, 60_000);

  const listing =
    'never lists a name, size or time from outside when a listed directory is swapped for a link';
  it(
    listing,
    async () => {
      const r = await race([...swapFile('r', join(outside, 'secret')), ...swapDir()], async () => {
        const [root, x] = await Promise.all([list(''), list('x')]);
        return [
          ...exposed(root, 'list'),
          ...exposed(x, 'list x'),
          ...outsideMetadata(root),
          ...outsideMetadata(x),
        ];
      });
      process.stdout.write(`listing race: ${r.rounds} swaps, ${r.probes} probes\n`);
      expect(r.problems).toEqual([]);
    },
    60_000,
  );
});

describe('hard links, FIFOs, deep trees and odd names', () => {
  const hard = 'never serves a hard link to a file the job’s own uid cannot read';
  it(hard, async () => {
    // Where fs.protected_hardlinks is 0 the job makes this link itself; elsewhere root stands
    // in for it (a loop that stops as soon as `h` exists: one attempt that may fail quietly).
    const link = (uid: number): Promise<string> =>
      actAs(uid, dir, {
        kind: 'loop',
        steps: [{ op: 'link', target: join(outside, 'secret'), path: 'h' }],
        stop: 'h',
        ms: 200,
      });
    await link(god.alice.uid);
    await link(0);
    const a = await download('h');
    expect(exposed(a, 'download h')).toEqual([]);
    expect(a.status).toBe(404);
    expect(outsideMetadata(await list(''))).toEqual([]);
  });

  it('never hangs on a FIFO: download, log, tail, followed log and listing all answer', async () => {
    await actAs(god.alice.uid, dir, {
      kind: 'once',
      steps: [
        { op: 'mkfifo', path: 'p' },
        { op: 'mkfifo', path: 'god.err' },
      ],
    });
    const answers = await Promise.all([
      download('p'),
      get('/logs', { stream: 'stderr' }),
      get('/logs', { stream: 'stderr', tail: '3' }),
      // The job is over: a followed log ends at once, FIFO or not.
      get('/logs', { stream: 'stderr', follow: 'true' }),
      list(''),
    ]);
    expect(answers.flatMap((a, i) => exposed(a, `request ${i}`))).toEqual([]);
    expect(answers[0]?.status).toBe(404);
  }, 30_000);

  it('answers without a 5xx for a tree deeper than PATH_MAX', async () => {
    await actAs(god.alice.uid, dir, {
      kind: 'once',
      steps: [{ op: 'deep', name: 'd', depth: 2_100, file: 'leaf' }],
    });
    const problems: string[] = [];
    for (const depth of [1, 100, 1_000, 2_047, 2_100]) {
      const p = Array.from({ length: depth }, () => 'd').join('/');
      problems.push(
        ...exposed(await list(p), `list depth ${depth}`),
        ...exposed(await download(`${p}/leaf`), `download depth ${depth}`),
      );
    }
    problems.push(...exposed(await list(''), 'list'));
    expect(problems).toEqual([]);
  }, 60_000);

  const NAMES = [
    'a\nb.txt',
    'c\r\nSet-Cookie: x=1',
    '\u001b[31mred.txt',
    '日本.txt',
    '\u202etxt.exe',
    'q"uote\\.txt',
    ' lead',
    'semi;colon=1',
  ];

  it('lists files of any name without a 5xx, names exact', async () => {
    await actAs(god.alice.uid, dir, {
      kind: 'once',
      steps: NAMES.map((n): Step => ({ op: 'write', path: n, text: `content of ${n}` })),
    });
    const a = await list('');
    expect(a.status).toBe(200);
    const names = (JSON.parse(a.text) as { entries: Array<{ name: string }> }).entries.map(
      (e) => e.name,
    );
    for (const n of NAMES) expect(names).toContain(n);
  });

  const odd = 'downloads files of any name with their bytes, never a 5xx, and keeps no descriptor';
  it(
    odd,
    async () => {
      await actAs(god.alice.uid, dir, {
        kind: 'once',
        steps: NAMES.map((n): Step => ({ op: 'write', path: n, text: `content of ${n}` })),
      });
      closeIdle();
      const before = await god.fds();
      for (let round = 0; round < 25; round++)
        for (const n of NAMES) {
          const a = await download(n);
          expect(a.status, n).toBe(200);
          expect(a.text).toBe(`content of ${n}`);
          expect(Object.keys(a.headers).filter((h) => h === 'set-cookie')).toEqual([]);
        }
      closeIdle();
      const deadline = Date.now() + 10_000;
      while ((await god.fds()) > before + 4 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(await god.fds()).toBeLessThanOrEqual(before + 4);
    },
    60_000,
  );
});
