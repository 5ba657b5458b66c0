/** The job routes over HTTP on a real web process (SQLite store, test Redis, local auth). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobView } from './api/schemas.js';
import { failure, WebHarness, type TestUser } from './test-helpers.js';

let h: WebHarness;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;

beforeAll(async () => {
  h = await WebHarness.start(['limits.max_array_tasks=1000000']); // above the default
  alice = await h.user('alice');
  bob = await h.user('bob');
  admin = await h.user('boss', { admin: true });
});
afterAll(async () => {
  await h?.stop();
});

const job = (over: object = {}) => ({
  container: { image: 'god-test/busybox:latest' },
  command: { cmd: 'echo hello' },
  ...over,
});

describe('submission', () => {
  it('stores a job as the caller, with units converted, and answers it as documented', async () => {
    const stored = await alice.client.submit(
      job({
        meta: { name: 'count', tags: ['t1'] },
        requirements: { cpu: 2, ram: '512M', array: '1:9:3%2' },
      }),
    );
    expect(JobView.parse(stored)).toEqual(stored);
    expect(stored).toMatchObject({
      state: 'pending',
      user: { id: 'alice', uid: alice.uid, gid: alice.uid, project: 'default' },
      meta: { name: 'count', tags: ['t1'] },
      requirements: {
        cpu: 2,
        ram: 512 * 2 ** 20,
        array: { first: 1, last: 7, step: 3, count: 3, limit: 2 },
      },
    });
    expect(await h.store.getJob(stored.id)).toEqual(stored);
  });

  it('names every bad field and stores nothing', async () => {
    const before = (await h.store.listJobs({}, { limit: 10_000 })).jobs.length;
    const err = await failure(
      alice.client.submit(
        job({
          requirements: { cpu: 0, ram: 'lots', mem: 4 },
          container: { image: 'UPPER CASE' },
        }),
      ),
    );
    expect(err.status).toBe(400);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.issues.map((i) => i.path).sort()).toEqual(
      ['container.image', 'requirements.cpu', 'requirements.mem', 'requirements.ram'].sort(),
    );
    expect((await h.store.listJobs({}, { limit: 10_000 })).jobs.length).toBe(before);
  });

  it('accepts a bulk submission whole or refuses it whole, naming jobs[i] fields', async () => {
    const before = (await h.store.listJobs({}, { limit: 10_000 })).jobs.length;
    const ok = await alice.client.submitBulk([job(), job(), job()]);
    expect(ok.count).toBe(3);
    expect(ok.ids).toHaveLength(3);
    const err = await failure(
      alice.client.submitBulk([job(), job({ requirements: { gpus: -1 } }), job()]),
    );
    expect(err.issues).toEqual([expect.objectContaining({ path: 'jobs[1].requirements.gpus' })]);
    expect((await h.store.listJobs({}, { limit: 10_000 })).jobs.length).toBe(before + 3);
  });

  it('refuses volumes and root that were not granted, and projects the user is not in', async () => {
    const err = await failure(
      alice.client.submit(
        job({
          container: { image: 'god-test/busybox:latest', root: true, volumes: [{ name: 'etc' }] },
        }),
      ),
    );
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      'container.root',
      'container.volumes[0].name',
    ]);
    const noProject = await failure(alice.client.submit(job({ project: 'secret' })));
    expect(noProject.issues).toEqual([expect.objectContaining({ path: 'project' })]);
  });

  it('accepts a million-task array as one record', async () => {
    const t0 = performance.now();
    const stored = await alice.client.submit(job({ requirements: { array: '1:1000000' } }));
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(stored.requirements.array?.count).toBe(1_000_000);
    expect((await h.store.listJobs({ parent: stored.id })).jobs).toEqual([]);
  });
});

describe('authorization', () => {
  it('hides other users’ jobs behind 404, and shows them to administrators', async () => {
    const mine = await h.jobOf(alice);
    await h.writeTaskFile(mine, 'god.log', 'secret output\n');
    const attempts: Array<() => Promise<unknown>> = [
      () => bob.client.getJob(mine.id),
      () => bob.client.control(mine.id, 'kill'),
      () => bob.client.control(mine.id, 'suspend'),
      () => bob.client.hold(mine.id),
      () => bob.client.why(mine.id),
      () => bob.client.files(mine.id),
      () => bob.client.download(mine.id, 'god.log'),
      () => bob.client.logs(mine.id),
      () => bob.client.update(mine.id, { name: 'mine now' }),
      () => bob.client.archive(mine.id),
    ];
    for (const attempt of attempts) {
      const err = await failure(attempt());
      expect(err.status).toBe(404);
      expect(err.message).toBe(`job ${mine.id} not found`);
    }
    // Exactly as for a job that does not exist.
    const missing = await failure(bob.client.getJob(999_999));
    expect(missing.status).toBe(404);
    expect((await h.store.getJob(mine.id))?.state).toBe('pending');
    expect((await admin.client.getJob(mine.id)).id).toBe(mine.id);
    expect(await admin.client.logs(mine.id)).toBe('secret output\n');
    expect((await admin.client.control(mine.id, 'kill')).requested).toBe(true);
  });

  it('lists only the caller’s jobs, everyone’s for administrators', async () => {
    const a = await h.jobOf(alice);
    const b = await h.jobOf(bob);
    const ids = async (u: TestUser, q = {}) => {
      const out: number[] = [];
      for await (const j of u.client.allJobs(q)) out.push(j.id);
      return out;
    };
    expect(await ids(bob)).toContain(b.id);
    expect(await ids(bob)).not.toContain(a.id);
    expect((await failure(bob.client.listJobs({ user: 'alice' }))).status).toBe(403);
    expect(await ids(admin, { user: 'alice' })).toContain(a.id);
    expect(await ids(admin)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('shares a project’s jobs with its members when share_project_tasks is on', async () => {
    const shared = await WebHarness.start(['auth.share_project_tasks=true']);
    try {
      const [carol, dave, eve] = await Promise.all([
        shared.user('carol'),
        shared.user('dave'),
        shared.user('eve'),
      ]);
      const boss = await shared.user('boss', { admin: true });
      await boss.client.createProject({ id: 'genomics', members: ['carol', 'dave'] });
      const j = await carol.client.submit(job({ project: 'genomics' }));
      expect((await dave.client.getJob(j.id)).id).toBe(j.id);
      expect((await dave.client.listJobs({ project: 'genomics' })).jobs.map((x) => x.id)).toContain(
        j.id,
      );
      expect((await failure(eve.client.getJob(j.id))).status).toBe(404);
      expect((await failure(eve.client.submit(job({ project: 'genomics' })))).status).toBe(400);
    } finally {
      await shared.stop();
    }
  });

  it('refuses requests without or with bad credentials', async () => {
    expect((await failure(h.client().listJobs())).status).toBe(401);
    expect(
      (await failure(h.client('god_0123456789abcdef_' + 'x'.repeat(43)).listJobs())).status,
    ).toBe(401);
    expect((await failure(h.client('not.a.token').listJobs())).status).toBe(401);
    expect((await failure(alice.client.users())).status).toBe(403);
  });
});

describe('job changes', () => {
  it('holds and releases a pending job, and refuses to hold a running one', async () => {
    const j = await alice.client.submit(job());
    expect(await alice.client.hold(j.id)).toEqual({ jobId: j.id, state: 'held' });
    expect(await alice.client.why(j.id)).toMatchObject({ code: 'HELD', state: 'held' });
    expect(await alice.client.release(j.id)).toEqual({ jobId: j.id, state: 'pending' });
    const done = await h.runToEnd(await h.jobOf(alice));
    const err = await failure(alice.client.hold(done.id));
    expect(err.status).toBe(409);
    expect(err.message).toContain('is over');
  });

  it('changes only the configured dynamic fields, admin_only ones for administrators', async () => {
    const j = await alice.client.submit(job());
    const updated = await alice.client.update(j.id, { name: 'renamed', tags: ['a', 'b'] });
    expect(updated.meta).toMatchObject({ name: 'renamed', tags: ['a', 'b'] });
    const err = await failure(alice.client.update(j.id, { maxlifespan: 60 }));
    expect(err.issues).toEqual([
      { path: 'maxlifespan', message: 'only administrators may change maxlifespan' },
    ]);
    expect((await admin.client.update(j.id, { maxlifespan: '2h' })).requirements.maxlifespan).toBe(
      7200,
    );
    const bad = await failure(alice.client.update(j.id, { tags: ['no spaces'] }));
    expect(bad.issues[0]?.path).toBe('tags[0]');
  });

  it('queues kill, suspend, resume and reschedule for the watchers, refusing what cannot apply', async () => {
    const j = await alice.client.submit(job());
    const kill = await alice.client.control(j.id, 'kill', 'not needed');
    expect(kill).toMatchObject({ jobId: j.id, action: 'kill', requested: true });
    expect((await failure(alice.client.control(j.id, 'suspend'))).status).toBe(409);
    const done = await h.runToEnd(await h.jobOf(alice));
    expect((await failure(alice.client.control(done.id, 'kill'))).message).toContain(
      'already over',
    );
    expect((await alice.client.archive(done.id)).action).toBe('archive');
    expect((await failure(alice.client.archive(j.id))).status).toBe(409);
  });

  it('explains why a job waits, and how a finished one ended', async () => {
    const j = await h.jobOf(alice);
    await h.store.setPendingReason(j.id, {
      code: 'RESOURCES',
      message: 'no shard has 64 free cores',
    });
    expect(await alice.client.why(j.id)).toEqual({
      jobId: j.id,
      state: 'pending',
      code: 'RESOURCES',
      message: 'no shard has 64 free cores',
    });
    const done = await h.runToEnd(await h.jobOf(alice), 3);
    expect((await alice.client.why(done.id)).message).toMatch(/^ended failed/);
  });
});
