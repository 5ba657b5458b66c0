/** Store contract: API key records and updates of a job's descriptive fields. */
import { describe, expect, it } from 'vitest';
import { makeJob, makeJobIn, type FixtureRef } from './contract-fixtures.js';
import { listAll } from './contract-fixtures.js';
import type { ApiKeyRecord } from './store.js';

function makeKey(over: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: 'k1',
    user: 'alice',
    name: 'laptop',
    hash: 'a'.repeat(64),
    createdAt: 1_700_000_000_000,
    expiresAt: null,
    ...over,
  };
}

/** API keys: stored as given, found by id, listed per user, revoked. */
export function describeApiKeys(f: FixtureRef): void {
  describe('api keys', () => {
    it('stores, finds, lists per user and revokes keys', async () => {
      const a = makeKey();
      const b = makeKey({ id: 'k2', name: 'galaxy', createdAt: a.createdAt + 1, expiresAt: 9 });
      const c = makeKey({ id: 'k3', user: 'bob', parent: 'k9' });
      for (const k of [b, a, c]) await f.store.putApiKey(k);
      expect(await f.store.getApiKey('k2')).toEqual(b);
      expect(await f.store.getApiKey('k3')).toEqual(c);
      expect(await (await f.open()).getApiKey('k1')).toEqual(a);
      expect(await f.store.getApiKey('nope')).toBeNull();
      expect(await f.store.listApiKeys('alice')).toEqual([a, b]);
      expect(await f.store.listApiKeys('carol')).toEqual([]);
      expect(await f.store.deleteApiKey('k1')).toBe(true);
      expect(await f.store.deleteApiKey('k1')).toBe(false);
      expect(await f.store.getApiKey('k1')).toBeNull();
      expect(await f.store.listApiKeys('alice')).toEqual([b]);
    });
  });
}

/** updateJob: descriptive fields of active jobs only, searchable afterwards. */
export function describeUpdateJob(f: FixtureRef): void {
  describe('updateJob', () => {
    it('changes name, description, tags and max lifespan of an active job', async () => {
      const [job] = await f.store.insertJobs([
        makeJob({ meta: { name: 'old', description: '', tags: ['x', 'y'] } }),
      ]);
      const updated = await f.store.updateJob(job!.id, {
        name: 'new',
        description: 'now described',
        tags: ['y', 'z', 'z'],
        maxlifespan: 600,
      });
      expect(updated).toMatchObject({
        id: job!.id,
        state: 'pending',
        meta: { name: 'new', description: 'now described', tags: ['y', 'z'] },
        requirements: { maxlifespan: 600, cpu: job!.requirements.cpu },
      });
      expect(await f.store.getJob(job!.id)).toEqual(updated);
      expect((await listAll(f.store, { name: 'new' })).map((j) => j.id)).toEqual([job!.id]);
      expect(await listAll(f.store, { name: 'old' })).toEqual([]);
      expect((await listAll(f.store, { tag: 'z' })).map((j) => j.id)).toEqual([job!.id]);
      expect(await listAll(f.store, { tag: 'x' })).toEqual([]);
      // Only what was given changes.
      const again = await f.store.updateJob(job!.id, { name: 'newer' });
      expect(again?.meta).toEqual({
        name: 'newer',
        description: 'now described',
        tags: ['y', 'z'],
      });
    });

    it('refuses finished and missing jobs and leaves them as they are', async () => {
      const over = await makeJobIn(f.store, 'over');
      expect(await f.store.updateJob(over.id, { name: 'late' })).toBeNull();
      expect(await f.store.getJob(over.id)).toEqual(over);
      expect(await f.store.updateJob(424_242, { name: 'ghost' })).toBeNull();
      const running = await makeJobIn(f.store, 'running');
      expect((await f.store.updateJob(running.id, { maxlifespan: 60 }))?.state).toBe('running');
    });
  });
}
