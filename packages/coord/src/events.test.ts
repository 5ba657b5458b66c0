import { afterEach, describe, expect, it } from 'vitest';
import {
  createEventConsumer,
  createEventPublisher,
  lastEventId,
  type EventConsumer,
  type StreamEvent,
} from './events.js';
import { waitFor } from '@god/testkit';
import { Clients, makeTestKeys } from './test-helpers.js';

const clients = new Clients();
const consumers: EventConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.stop()));
  clients.closeAll();
});

function setup(maxLen?: number) {
  const keys = makeTestKeys();
  const redis = clients.connect();
  const publisher = createEventPublisher({ redis, keys, ...(maxLen ? { maxLen } : {}) });
  const consumer = (from?: string, blockMs = 30_000): EventConsumer => {
    const c = createEventConsumer({ redis, keys, blockMs, ...(from ? { from } : {}) });
    consumers.push(c);
    return c;
  };
  return { keys, redis, publisher, consumer };
}

/** Collects events from `c` in the background until stopped. */
function collect(c: EventConsumer): { seen: StreamEvent[]; done: Promise<void> } {
  const seen: StreamEvent[] = [];
  const done = (async () => {
    for await (const e of c) seen.push(e);
  })();
  return { seen, done };
}

describe('event stream', () => {
  it('delivers published events in order with their data', async () => {
    const { publisher, consumer } = setup();
    const ids = [
      await publisher.publish('job.submitted', { jobId: 1, user: 'alice' }),
      await publisher.publish('job.submitted', { jobId: 2 }),
      await publisher.publish('job.over', { jobId: 1, exitcode: 0, tags: ['a', 'b'] }),
    ];
    const c = consumer('0');
    const { seen, done } = collect(c);
    await waitFor('three events', () => seen.length === 3);
    expect(seen.map((s) => s.id)).toEqual(ids);
    expect(seen.map((s) => s.event)).toEqual([
      { type: 'job.submitted', jobId: 1, user: 'alice' },
      { type: 'job.submitted', jobId: 2 },
      { type: 'job.over', jobId: 1, exitcode: 0, tags: ['a', 'b'] },
    ]);
    expect(c.lastId()).toBe(ids[2]);
    await c.stop();
    await done;
  });

  it('publishes many events of one type in one round trip, in order', async () => {
    const { publisher, consumer } = setup();
    await publisher.publishMany('job.submitted', []);
    await publisher.publishMany(
      'job.submitted',
      Array.from({ length: 500 }, (_, i) => ({ jobId: i + 1 })),
    );
    const c = consumer('0');
    const { seen, done } = collect(c);
    await waitFor('500 events', () => seen.length === 500);
    expect(seen.map((s) => s.event.jobId)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(new Set(seen.map((s) => s.event.type))).toEqual(new Set(['job.submitted']));
    await expect(publisher.publishMany('', [{ jobId: 1 }])).rejects.toThrow('invalid event');
    await c.stop();
    await done;
  });

  it('from $ sees only what is published after reading starts, then everything in order', async () => {
    const { publisher, consumer } = setup();
    await publisher.publish('old');
    const c = consumer();
    const { seen, done } = collect(c);
    await waitFor('the start position to be fixed', () => c.lastId() !== '$');
    for (let i = 0; i < 50; i++) await publisher.publish('new', { jobId: i });
    await waitFor('fifty events', () => seen.length === 50);
    expect(seen.map((s) => s.event.jobId)).toEqual([...Array(50).keys()]);
    await c.stop();
    await done;
  });

  it('resumes from lastEventId read before a snapshot without missing anything', async () => {
    const { keys, redis, publisher, consumer } = setup();
    await publisher.publish('before');
    const position = await lastEventId(redis, keys);
    await publisher.publish('after-snapshot', { jobId: 7 });
    const { seen, done } = collect(consumer(position));
    await waitFor('one event', () => seen.length === 1);
    expect(seen[0]!.event).toEqual({ type: 'after-snapshot', jobId: 7 });
    await consumers[0]!.stop();
    await done;
    expect(await lastEventId(clients.connect(), makeTestKeys())).toBe('0-0');
  });

  it('stops at once while blocked in a long read, ending the iteration', async () => {
    const { consumer } = setup();
    const c = consumer('$', 60_000);
    const { done } = collect(c);
    await waitFor('the start position to be fixed', () => c.lastId() !== '$');
    const started = performance.now();
    await c.stop();
    await done;
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('runs a handler per event until stopped from inside it', async () => {
    const { publisher, consumer } = setup();
    for (const t of ['a', 'b', 'c']) await publisher.publish(t);
    const c = consumer('0');
    const types: string[] = [];
    await c.run(async (e) => {
      types.push(e.event.type);
      if (e.event.type === 'b') await c.stop();
    });
    expect(types).toEqual(['a', 'b']);
  });

  it('skips malformed entries', async () => {
    const { keys, redis, publisher, consumer } = setup();
    await redis.xadd(keys.events(), '*', 'event', 'not json');
    await redis.xadd(keys.events(), '*', 'event', '{"jobId":1}');
    await redis.xadd(keys.events(), '*', 'other', '{"type":"x"}');
    await publisher.publish('good');
    const { seen, done } = collect(consumer('0'));
    await waitFor('the good event', () => seen.length === 1);
    expect(seen[0]!.event.type).toBe('good');
    await consumers[0]!.stop();
    await done;
  });

  it('trims the stream to about maxLen entries', async () => {
    const { keys, redis, publisher } = setup(10);
    for (let i = 0; i < 1_000; i++) await publisher.publish('tick');
    const length = await redis.xlen(keys.events());
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(250); // approximate trimming keeps whole stream nodes (100 entries)
  });

  it('refuses an empty type and a bad starting id', async () => {
    const { publisher, consumer } = setup();
    await expect(publisher.publish('')).rejects.toThrow(/type/);
    expect(() => consumer('latest')).toThrow(/from/);
  });
});
