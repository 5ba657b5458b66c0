/** `god submit` against a real web process: every flag to its job field, errors, and --wait. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '@god/core';
import { waitFor } from '@god/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHarness, type TestUser } from '../../web/src/test-helpers.js';
import { makeRig, type CliRig } from './test-cli.js';

let h: WebHarness;
let alice: TestUser;
let god: CliRig['run'];
let dir: string;

beforeAll(async () => {
  h = await WebHarness.start([
    'volumes=[{name: scratch, path: /srv/scratch, acl: rw}, {name: ref, path: /srv/ref}]',
    'security.allow_root=true',
    'defaults.image=god-test/busybox:latest',
    'constraints=[{name: site, values: [paris, lyon]}]',
  ]);
  alice = await h.user('alice');
  const boss = await h.user('boss', { admin: true });
  await boss.client.createProject({ id: 'genomics', members: ['alice'] });
  god = (await makeRig({ GOD_SERVER: h.url, GOD_API_KEY: alice.key })).run;
  dir = await mkdtemp(join(tmpdir(), 'god-cli-submit-'));
  await writeFile(join(dir, 'job.sh'), '#!/bin/sh\necho hello\n');
});
afterAll(async () => {
  await h?.stop();
});

/** The id `god submit` printed. */
const idOf = (out: string): number => Number(/submitted job (\d+)/.exec(out)?.[1] ?? out.trim());

/** The newest job of alice in the store. */
async function newest(): Promise<Job> {
  const { jobs } = await h.store.listJobs({ user: 'alice' }, { limit: 10_000 });
  return jobs.at(-1)!;
}

describe('god submit', () => {
  it('maps every flag to its job field', async () => {
    const [a, b, c] = [await h.jobOf(alice), await h.jobOf(alice), await h.jobOf(alice)];
    const r = await god(
      [
        'submit',
        'job.sh',
        ...['--cpu', '2', '--ram', '512M', '--gpus', '1', '--image', 'god-test/busybox:1.36'],
        ...['--name', 'count', '--description', 'counts things', '--tag', 't1', '--tag', 't2'],
        ...['--project', 'genomics', '--volume', 'scratch:rw', '--volume', 'ref'],
        ...['--array', '1:9:3%2', '--after', `${a.id},${b.id}`, '--afterany', String(c.id)],
        ...['--afternotok', String(a.id), '--hold', '--interactive', '--root'],
        ...['--label', 'site==paris', '--port', '8080', '--port', '9090'],
        ...['--env', 'A=1=2', '--env', 'FROM_HERE', '--maxlifespan', '2h'],
        '--json',
      ],
      { cwd: dir, env: { FROM_HERE: 'local value' } },
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const answered = JSON.parse(r.out) as Job;
    const job = await h.store.getJob(answered.id);
    expect(job).toEqual(answered);
    expect(job).toMatchObject({
      state: 'held',
      user: { id: 'alice', project: 'genomics' },
      meta: { name: 'count', description: 'counts things', tags: ['t1', 't2'] },
      requirements: {
        cpu: 2,
        ram: 512 * 2 ** 20,
        gpus: 1,
        array: { spec: '1:9:3%2', first: 1, last: 7, step: 3, count: 3, limit: 2 },
        label: ['site==paris'],
        tasks: [
          { id: a.id, kind: 'afterok' },
          { id: b.id, kind: 'afterok' },
          { id: c.id, kind: 'afterany' },
          { id: a.id, kind: 'afternotok' },
        ],
        ports: [8080, 9090],
        tmpstorage: null,
        maxlifespan: 7200,
      },
      container: {
        image: 'god-test/busybox:1.36',
        volumes: [
          { name: 'scratch', acl: 'rw' },
          { name: 'ref', acl: 'ro' },
        ],
        root: true,
      },
      command: { cmd: '#!/bin/sh\necho hello\n', interactive: true },
      env: { A: '1=2', FROM_HERE: 'local value' },
    });
  });

  it('takes --cmd or a script on stdin, names the job after its file, and uses the server’s default image', async () => {
    const fromFile = await god(['submit', join(dir, 'job.sh')]);
    expect(fromFile).toMatchObject({ code: 0, err: '' });
    expect(await h.store.getJob(idOf(fromFile.out))).toMatchObject({
      meta: { name: 'job.sh' },
      container: { image: 'god-test/busybox:latest', volumes: [], root: false },
      requirements: { cpu: 1, array: null, tasks: [] },
      state: 'pending',
    });
    const quiet = await god(['submit', '--cmd', 'echo hi', '-q']);
    expect(quiet.out).toMatch(/^\d+\n$/);
    expect((await h.store.getJob(Number(quiet.out)))?.command.cmd).toBe('echo hi');
    const piped = await god(['submit', '-', '--quiet'], { stdin: 'echo from stdin\n' });
    expect((await h.store.getJob(Number(piped.out)))?.command.cmd).toBe('echo from stdin\n');
  });

  it('prints the server’s validation errors one line per field, and exits 2', async () => {
    const before = (await newest()).id;
    const r = await god(['submit', '--cmd', 'true', '--cpu', '0', '--ram', 'lots']);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines[0]).toBe('god: invalid job (2 problems):');
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^requirements\.cpu: .*1$/),
      'requirements.ram: "lots" is not a size: use a number of GB or a value like 8G, 512M',
    ]);
    expect((await newest()).id).toBe(before);
    // Grants are checked once the job is well formed: a volume that is not configured.
    const volume = await god(['submit', '--cmd', 'true', '--volume', 'etc']);
    expect(volume.code).toBe(2);
    expect(volume.err).toMatch(/\ncontainer\.volumes\[0\]\.name: .+\n$/);
    // The same quantity rules as every API (#19): no limit that rounds to nothing, no label
    // that is not configured, no run time beyond limits.job.
    const tiny = await god(['submit', '--cmd', 'true', '--ram', '0.000001G']);
    expect([tiny.code, tiny.err]).toEqual([
      2,
      expect.stringMatching(/\nrequirements\.ram: must be at least 6 MiB/),
    ]);
    const label = await god(['submit', '--cmd', 'true', '--label', 'rack==1']);
    expect([label.code, label.err]).toEqual([
      2,
      expect.stringMatching(/\nrequirements\.label\[0\]: rack is not/),
    ]);
    const long = await god(['submit', '--cmd', 'true', '--maxlifespan', '3650d']);
    expect([long.code, long.err]).toEqual([
      2,
      expect.stringMatching(/\nrequirements\.maxlifespan: must be at most/),
    ]);
    expect((await newest()).id).toBe(before);
  });

  it('refuses flags it cannot read before calling the server (exit 2)', async () => {
    const cases: Array<[string[], string]> = [
      [['submit', '--cmd', 'true', '--cpu', 'two'], '--cpu: "two" is not a whole number'],
      [['submit', '--cmd', 'true', '--after', '12,x'], '--after: "x" is not a job id'],
      [['submit', '--cmd', 'true', '--env', 'NOT_SET_HERE'], '--env: NOT_SET_HERE is not set here'],
      [
        ['submit', '--cmd', 'true', '--volume', 'a:rx'],
        '--volume: "a:rx" is not name, name:ro or name:rw',
      ],
      [['submit'], 'nothing to run'],
      [['submit', 'job.sh', '--cmd', 'true'], 'not several'],
      [['submit', join(dir, 'missing.sh')], `cannot read ${join(dir, 'missing.sh')}: ENOENT`],
    ];
    for (const [args, message] of cases) {
      const r = await god(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(message);
    }
  });
});

describe('god submit --wait', () => {
  /** Runs `god submit --wait`, ends the job as `end` says once it is stored, and returns what the CLI did. */
  async function submitAndEnd(end: (job: Job) => Promise<unknown>, extra: string[] = []) {
    const before = (await newest()).id;
    const run = god(['submit', '--cmd', 'exit 3', '--wait', ...extra]);
    const job = await waitFor('the submitted job to be stored', async () => {
      const latest = await newest();
      return latest.id > before ? latest : null;
    });
    await end(job);
    return { ...(await run), job };
  }

  it('exits with the job’s exit code when it failed, 0 when it succeeded', async () => {
    const failed = await submitAndEnd((j) => h.runToEnd(j, 3));
    expect(failed.code).toBe(3);
    expect(failed.out).toBe(`submitted job ${failed.job.id}\n`);
    expect(failed.err).toContain(`god: job ${failed.job.id} failed with exit code 3`);
    const ok = await submitAndEnd((j) => h.runToEnd(j, 0));
    expect(ok.code).toBe(0);
    expect(ok.err).not.toContain('god:');
  });

  it('exits 1 with the reason when the job ended without an exit code', async () => {
    const killed = await submitAndEnd((j) =>
      h.store.transition(j.id, 'pending', 'over', {
        outcome: 'killed',
        reason: 'killed by the test',
      }),
    );
    expect(killed.code).toBe(1);
    expect(killed.err).toContain(`god: job ${killed.job.id} ended killed: killed by the test`);
  });

  it('prints the ended job with --json', async () => {
    const r = await submitAndEnd((j) => h.runToEnd(j, 0), ['--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ id: r.job.id, state: 'over', outcome: 'success' });
  });
});
