/** Smoke test of the real FerretDB that the global setup starts, through the official driver. */
import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';

describe('FerretDB', () => {
  const url = inject('mongoUrl');

  it('stores and returns a document', async () => {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
    const db = client.db(`smoke_${process.pid}_${Date.now()}`);
    try {
      const jobs = db.collection<{ _id: string; state: string; cpu: number; tags: string[] }>(
        'jobs',
      );
      await jobs.insertOne({ _id: 'j1', state: 'pending', cpu: 4, tags: ['a', 'b'] });
      expect(await jobs.findOne({ _id: 'j1' })).toEqual({
        _id: 'j1',
        state: 'pending',
        cpu: 4,
        tags: ['a', 'b'],
      });
      expect(await jobs.countDocuments({ state: 'running' })).toBe(0);
    } finally {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    }
  });
});
