/** Store contract, part 4: users, projects and the usage ledger. */
import { describe, expect, it } from 'vitest';
import type { FixtureRef } from './contract-fixtures.js';
import { DEFAULT_PROJECT, type Project, type UsageEntry, type User } from './store.js';

function makeUser(id: string, over: Partial<User> = {}): User {
  return {
    id,
    uid: 1000 + id.length,
    gid: 100,
    sgids: [5, 6],
    home: `/home/${id}`,
    email: `${id}@example.org`,
    admin: false,
    priority: 50,
    quota: null,
    passwordHash: null,
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

function makeProject(id: string, over: Partial<Project> = {}): Project {
  return {
    id,
    description: `project ${id}`,
    members: ['alice', 'bob'],
    priority: 70,
    quota: {
      cpuSeconds: 3600,
      ramGBSeconds: 0,
      gpuSeconds: 10,
      wallSeconds: 0,
      windowSeconds: 86400,
    },
    limits: { cpu: 64, ram: 256, gpus: 4, jobs: 100 },
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

const DAY = 86_400_000;
/** 2024-03-10T00:00:00Z. */
const D0 = Date.UTC(2024, 2, 10);

function entry(jobId: number, at: number, over: Partial<UsageEntry> = {}): UsageEntry {
  return {
    jobId,
    user: 'alice',
    project: 'default',
    at,
    cpuSeconds: 10,
    ramGBSeconds: 2.5,
    gpuSeconds: 1,
    wallSeconds: 5,
    ...over,
  };
}

/** Users and projects. */
export function describeDirectory(f: FixtureRef): void {
  describe('users', () => {
    it('creates, replaces, lists and deletes users', async () => {
      expect(await f.store.getUser('alice')).toBeNull();
      const alice = makeUser('alice', {
        admin: true,
        passwordHash: '$argon2id$v=19$x',
        quota: { cpuSeconds: 1, ramGBSeconds: 2, gpuSeconds: 3, wallSeconds: 4, windowSeconds: 5 },
      });
      await f.store.putUser(alice);
      await f.store.putUser(makeUser('bob'));
      expect(await f.store.getUser('alice')).toEqual(alice);
      const changed = { ...alice, email: 'new@example.org', sgids: [] };
      await f.store.putUser(changed);
      expect(await f.store.listUsers()).toEqual([changed, makeUser('bob')]);
      expect(await f.store.deleteUser('alice')).toBe(true);
      expect(await f.store.deleteUser('alice')).toBe(false);
      expect(await f.store.listUsers()).toEqual([makeUser('bob')]);
    });

    it('finds a user whatever the case of the login, and refuses a second spelling', async () => {
      const alice = makeUser('Alice.B');
      await f.store.putUser(alice);
      for (const login of ['Alice.B', 'alice.b', 'ALICE.B'])
        expect(await f.store.findUser(login)).toEqual(alice);
      // Taken literally: '.' is no wildcard, and no prefix or suffix matches.
      for (const login of ['alicexb', 'alice', 'alice.bb', 'x.alice.b', '.*'])
        expect(await f.store.findUser(login)).toBeNull();
      await expect(f.store.putUser(makeUser('alice.b'))).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/user Alice\.B exists/) as unknown,
      });
      // Replacing the same spelling is still an update.
      await f.store.putUser({ ...alice, email: 'new@example.org' });
      expect(await f.store.listUsers()).toEqual([{ ...alice, email: 'new@example.org' }]);
    });
  });

  describe('projects', () => {
    it('has a default project from the start, and it cannot be deleted', async () => {
      const def = await f.store.getProject(DEFAULT_PROJECT);
      expect(def).toMatchObject({ id: DEFAULT_PROJECT, members: [], quota: null, limits: null });
      expect(await f.store.deleteProject(DEFAULT_PROJECT)).toBe(false);
      expect(await f.store.getProject(DEFAULT_PROJECT)).toEqual(def);
      // Opening again neither duplicates nor resets it, even after an administrator edited it.
      await f.store.putProject({ ...def!, priority: 99 });
      await f.open();
      expect(await f.store.listProjects()).toEqual([{ ...def!, priority: 99 }]);
    });

    it('creates, replaces, lists and deletes projects', async () => {
      await f.store.putProject(makeProject('genomics'));
      await f.store.putProject(makeProject('astro', { quota: null, limits: null }));
      const replaced = makeProject('genomics', { members: ['carol'] });
      await f.store.putProject(replaced);
      expect((await f.store.listProjects()).map((p) => p.id)).toEqual([
        'astro',
        DEFAULT_PROJECT,
        'genomics',
      ]);
      expect(await f.store.getProject('genomics')).toEqual(replaced);
      expect(await f.store.deleteProject('genomics')).toBe(true);
      expect(await f.store.deleteProject('genomics')).toBe(false);
      expect(await f.store.getProject('genomics')).toBeNull();
    });
  });
}

/** The usage ledger. */
export function describeLedger(f: FixtureRef): void {
  describe('usage ledger', () => {
    it('sums over [since, until), with user and project filters', async () => {
      const s = f.store;
      await s.recordUsage(entry(1, D0));
      await s.recordUsage(entry(2, D0 + 1000, { user: 'bob', cpuSeconds: 7 }));
      await s.recordUsage(entry(3, D0 + 2000, { project: 'astro', gpuSeconds: 0 }));
      await s.recordUsage(entry(4, D0 + 3000));
      const all = await s.usageTotals({ since: D0 });
      expect(all).toEqual({
        cpuSeconds: 37,
        ramGBSeconds: 10,
        gpuSeconds: 3,
        wallSeconds: 20,
        jobs: 4,
      });
      // `since` is inclusive, `until` exclusive: a sliding window never counts an entry twice.
      expect(await s.usageTotals({ since: D0 + 1000, until: D0 + 3000 })).toMatchObject({
        jobs: 2,
        cpuSeconds: 17,
      });
      expect(await s.usageTotals({ since: D0 + 1, until: D0 + 1000 })).toEqual({
        cpuSeconds: 0,
        ramGBSeconds: 0,
        gpuSeconds: 0,
        wallSeconds: 0,
        jobs: 0,
      });
      expect(await s.usageTotals({ since: D0, user: 'alice' })).toMatchObject({
        jobs: 3,
        cpuSeconds: 30,
      });
      expect(await s.usageTotals({ since: D0, project: 'astro' })).toMatchObject({
        jobs: 1,
        gpuSeconds: 0,
      });
      expect(await s.usageTotals({ since: D0, user: 'bob', project: 'astro' })).toMatchObject({
        jobs: 0,
      });
    });

    it('books a job once, however often the booking is retried', async () => {
      await f.store.recordUsage(entry(9, D0));
      await f.store.recordUsage(entry(9, D0 + 5 * DAY, { cpuSeconds: 99, project: 'astro' }));
      expect(await f.store.usageTotals({ since: 0 })).toMatchObject({ jobs: 1, cpuSeconds: 99 });
      expect(await f.store.usageTotals({ since: D0, until: D0 + DAY })).toMatchObject({ jobs: 0 });
      expect(await f.store.usageByDay({ since: 0 })).toEqual([
        {
          day: '2024-03-15',
          user: 'alice',
          project: 'astro',
          cpuSeconds: 99,
          ramGBSeconds: 2.5,
          gpuSeconds: 1,
          wallSeconds: 5,
          jobs: 1,
        },
      ]);
    });
  });

  describe('usage per time bucket', () => {
    it('sums per epoch-aligned bucket and project over the selected users, ordered', async () => {
      const s = f.store;
      const HOUR = 3_600_000;
      await s.recordUsage(entry(1, D0 - 1)); // the last hour of the day before
      await s.recordUsage(entry(2, D0)); // an hour's first instant belongs to it
      await s.recordUsage(entry(3, D0 + HOUR - 1, { cpuSeconds: 5 }));
      await s.recordUsage(entry(4, D0 + 1, { user: 'bob' }));
      await s.recordUsage(entry(5, D0 + 2, { project: 'astro' }));
      await s.recordUsage(entry(6, D0 + 3 * HOUR));
      const base = { ramGBSeconds: 2.5, gpuSeconds: 1, wallSeconds: 5 };
      expect(
        await s.usageByBucket({ since: D0 - HOUR, until: D0 + 3 * HOUR, bucketMs: HOUR }),
      ).toEqual([
        { start: D0 - HOUR, project: 'default', ...base, cpuSeconds: 10, jobs: 1 },
        { start: D0, project: 'astro', ...base, cpuSeconds: 10, jobs: 1 },
        {
          start: D0,
          project: 'default',
          ramGBSeconds: 7.5,
          gpuSeconds: 3,
          wallSeconds: 15,
          cpuSeconds: 25,
          jobs: 3,
        },
      ]);
      expect(await s.usageByBucket({ since: D0, user: 'alice', bucketMs: DAY })).toEqual([
        { start: D0, project: 'astro', ...base, cpuSeconds: 10, jobs: 1 },
        {
          start: D0,
          project: 'default',
          ramGBSeconds: 7.5,
          gpuSeconds: 3,
          wallSeconds: 15,
          cpuSeconds: 25,
          jobs: 3,
        },
      ]);
    });
  });

  describe('usage per day', () => {
    it('groups per UTC day, user and project, ordered by day', async () => {
      const s = f.store;
      await s.recordUsage(entry(1, D0 - 1)); // 2024-03-09T23:59:59.999Z
      await s.recordUsage(entry(2, D0)); // midnight belongs to the new day
      await s.recordUsage(entry(3, D0 + DAY - 1, { cpuSeconds: 5 }));
      await s.recordUsage(entry(4, D0 + 1, { user: 'bob' }));
      await s.recordUsage(entry(5, D0 + 2, { project: 'astro' }));
      await s.recordUsage(entry(6, D0 + 2 * DAY));
      const base = { ramGBSeconds: 2.5, gpuSeconds: 1, wallSeconds: 5 };
      expect(await s.usageByDay({ since: D0 - DAY, until: D0 + 2 * DAY })).toEqual([
        { day: '2024-03-09', user: 'alice', project: 'default', ...base, cpuSeconds: 10, jobs: 1 },
        { day: '2024-03-10', user: 'alice', project: 'astro', ...base, cpuSeconds: 10, jobs: 1 },
        {
          day: '2024-03-10',
          user: 'alice',
          project: 'default',
          ...base,
          ramGBSeconds: 5,
          gpuSeconds: 2,
          wallSeconds: 10,
          cpuSeconds: 15,
          jobs: 2,
        },
        { day: '2024-03-10', user: 'bob', project: 'default', ...base, cpuSeconds: 10, jobs: 1 },
      ]);
      expect(await s.usageByDay({ since: D0, user: 'alice', project: 'default' })).toEqual([
        {
          day: '2024-03-10',
          user: 'alice',
          project: 'default',
          ramGBSeconds: 5,
          gpuSeconds: 2,
          wallSeconds: 10,
          cpuSeconds: 15,
          jobs: 2,
        },
        { day: '2024-03-12', user: 'alice', project: 'default', ...base, cpuSeconds: 10, jobs: 1 },
      ]);
    });
  });
}
