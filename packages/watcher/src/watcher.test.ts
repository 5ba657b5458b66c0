import { EVENTS, ValidationError } from '@god/core';
import { createEventPublisher, queueNames, requestControl, silentLogger } from '@god/coord';
import { createMaxLifespan, MaxLifespanConfigSchema } from '@god/watcher-maxlifespan';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@god/testkit';
import { LONG, WatcherEnv } from './test-helpers.js';

let env: WatcherEnv;
afterEach(async () => {
  await env.close();
});

/** How many events of `type` were published about job `id`. */
async function eventCount(id: number, type: string): Promise<number> {
  return (await env.events()).filter((e) => e.type === type && e.jobId === id).length;
}

describe('watcher: kill', () => {
  it('ends pending and held jobs itself, once, and publishes job.ended', async () => {
    env = await WatcherEnv.create();
    await env.startWatcher();
    const pending = await env.submit();
    const held = await env.submit({}, { state: 'held' });
    for (const job of [pending, held]) {
      expect(await env.request({ action: 'kill', jobId: job.id, by: 'alice' })).toBe('killed');
      expect(await env.store.getJob(job.id)).toMatchObject({
        state: 'over',
        outcome: 'killed',
        status: { reason: 'killed by alice' },
      });
      expect(await eventCount(job.id, EVENTS.ended)).toBe(1);
    }
    expect(await env.request({ action: 'kill', jobId: pending.id, by: 'alice' })).toBe(
      'already-over',
    );
    expect(await env.request({ action: 'kill', jobId: 999_999, by: 'alice' })).toBe('unknown');
  });

  it('kills a running job through its host agent', async () => {
    env = await WatcherEnv.create();
    await env.startAgent();
    await env.startWatcher();
    const job = await env.submit(LONG);
    await env.run(job.id, 'fake-2', 'numa1');
    const answer = await env.request({ action: 'kill', jobId: job.id, by: 'bob', reason: 'slow' });
    expect(answer).toBe('sent');
    const over = await env.waitState(job.id, 'over');
    expect(over).toMatchObject({ outcome: 'killed', status: { reason: 'killed by bob: slow' } });
    expect(env.executor.runningJobs()).toEqual([]);
    await waitFor('job.ended', async () => (await eventCount(job.id, EVENTS.ended)) === 1);
  });

  it('suspends and resumes a running job, and kills a suspended one', async () => {
    env = await WatcherEnv.create();
    await env.startAgent();
    await env.startWatcher();
    const job = await env.submit(LONG);
    await env.run(job.id);
    expect(await env.request({ action: 'resume', jobId: job.id, by: 'al' })).toBe('not-applicable');
    expect(await env.request({ action: 'suspend', jobId: job.id, by: 'al' })).toBe('sent');
    expect(await env.waitState(job.id, 'suspended')).toMatchObject({
      status: { secondary: 'suspended', reason: 'suspended by al' },
    });
    expect(await env.request({ action: 'resume', jobId: job.id, by: 'al' })).toBe('sent');
    await env.waitState(job.id, 'running');
    expect(await env.request({ action: 'suspend', jobId: job.id, by: 'al' })).toBe('sent');
    await env.waitState(job.id, 'suspended');
    expect(await env.request({ action: 'kill', jobId: job.id, by: 'al' })).toBe('sent');
    expect(await env.waitState(job.id, 'over')).toMatchObject({ outcome: 'killed' });
    expect(env.executor.runningJobs()).toEqual([]);
  });

  it('refuses malformed requests: requestControl names the field, the worker drops them', async () => {
    env = await WatcherEnv.create();
    await env.startWatcher();
    const err: unknown = await requestControl(env.queues, {
      action: 'explode' as 'kill',
      jobId: 1,
      by: 'x',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['action']);
    const queue = env.queues.createQueue(queueNames.control);
    const added = await queue.add('kill', { action: 'kill', jobId: -3 });
    expect(await env.answer(added.id!)).toBe('malformed');
  });
});

describe('watcher: reschedule', () => {
  it('queues the job again, its old run is stopped and its end ignored, and it runs again', async () => {
    env = await WatcherEnv.create();
    await env.startAgent();
    await env.startWatcher();
    const job = await env.submit(LONG);
    await env.run(job.id);
    expect(await env.request({ action: 'reschedule', jobId: job.id, by: 'admin' })).toBe(
      'rescheduled',
    );
    const pending = await env.store.getJob(job.id);
    expect(pending).toMatchObject({
      state: 'pending',
      attempts: 1,
      placement: null,
      status: { reason: 'rescheduled by admin' },
    });
    expect(await eventCount(job.id, EVENTS.changed)).toBe(1);
    await waitFor('the old run to stop', () => env.executor.runningJobs().length === 0);
    // Placed again: attempt 2 runs. The old run's end was handled before this dispatch by the
    // agent (one job's messages and ends are serial there) and must have changed nothing.
    const again = await env.run(job.id, 'fake-1', 'numa1');
    expect(again.attempts).toBe(2);
    expect(env.executor.startCount(job.id)).toBe(2);
    expect(await eventCount(job.id, EVENTS.ended)).toBe(0);
    expect(await env.request({ action: 'reschedule', jobId: job.id, by: 'admin' })).toBe(
      'rescheduled',
    );
    expect(await env.request({ action: 'reschedule', jobId: job.id, by: 'admin' })).toBe(
      'not-applicable',
    );
  });
});

describe('watcher: plugins', () => {
  it('max lifespan kills jobs past their own limit or the default, and leaves the others', async () => {
    env = await WatcherEnv.create(['scheduler.default_maxlifespan=2']);
    await env.startAgent();
    const plugin = createMaxLifespan(MaxLifespanConfigSchema.parse({ interval_ms: 50 }), {
      config: env.config,
      logger: silentLogger,
      now: Date.now,
    });
    await env.startWatcher([plugin]);
    const own = await env.submit(LONG, maxlifespan(1));
    const byDefault = await env.submit(LONG);
    const long = await env.submit(LONG, maxlifespan(3_600));
    await env.run(own.id, 'fake-1', 'numa0');
    await env.run(byDefault.id, 'fake-1', 'numa1');
    await env.run(long.id, 'fake-2', 'numa0');
    const a = await env.waitState(own.id, 'over');
    expect(a.outcome).toBe('killed');
    expect(a.status.reason).toBe('exceeded its max lifespan of 1 s');
    const b = await env.waitState(byDefault.id, 'over');
    expect(b.status.reason).toBe('exceeded its max lifespan of 2 s');
    expect(b.status.dates.ended! - b.status.dates.started!).toBeGreaterThan(2_000);
    expect((await env.store.getJob(long.id))?.state).toBe('running');
    expect(env.executor.runningJobs()).toEqual([long.id]);
  });
});

describe('watcher: lost hosts', () => {
  it('retries a job once when its host stops answering, then ends it lost', async () => {
    env = await WatcherEnv.create(['scheduler.host_timeout_ms=300']);
    const one = await env.startAgent('fake-1');
    const two = await env.startAgent('fake-2');
    const watcher = await env.startWatcher();
    const job = await env.submit(LONG);
    await env.run(job.id, 'fake-1');
    expect(await watcher.sweep()).toEqual({ retried: 0, lost: 0 });

    await env.stopAgent(one);
    await waitFor('fake-1 to be found lost', async () => (await watcher.sweep()).retried === 1);
    expect(await env.store.getJob(job.id)).toMatchObject({
      state: 'pending',
      attempts: 1,
      status: { reason: 'host fake-1 stopped answering' },
    });
    expect(await eventCount(job.id, EVENTS.changed)).toBe(1);
    // The host is gone with its run (here the shared fake executor still has it: end it).
    await env.executor.kill(job.id, 'host gone');

    await env.run(job.id, 'fake-2');
    expect(await watcher.sweep()).toEqual({ retried: 0, lost: 0 });
    await env.stopAgent(two);
    await waitFor('fake-2 to be found lost', async () => (await watcher.sweep()).lost === 1);
    expect(await env.store.getJob(job.id)).toMatchObject({
      state: 'over',
      outcome: 'lost',
      attempts: 2,
      status: { reason: 'host fake-2 stopped answering' },
    });
    expect(await eventCount(job.id, EVENTS.ended)).toBe(1);
  });

  it('looks for lost hosts when hosts.changed is published, not only on its tick', async () => {
    // The tick (watcher.reconcile_ms) is a minute in these tests: only the event can wake it.
    env = await WatcherEnv.create(['scheduler.host_timeout_ms=200']);
    const one = await env.startAgent('fake-1');
    await env.startWatcher();
    const job = await env.submit(LONG);
    await env.run(job.id, 'fake-1');
    await env.stopAgent(one);
    const events = createEventPublisher({ redis: env.redis, keys: env.keys });
    // As the scheduler's view of hosts changes, events keep coming until the timeout passes.
    const retried = await waitFor(
      'the job to be retried',
      async () => {
        await events.publish(EVENTS.hosts);
        return (await env.store.getJob(job.id))?.state === 'pending';
      },
      { everyMs: 50 },
    );
    expect(retried).toBe(true);
    expect((await env.store.getJob(job.id))?.status.reason).toBe('host fake-1 stopped answering');
  });

  it('ends the job lost at once with on_lost: end', async () => {
    env = await WatcherEnv.create(['scheduler.host_timeout_ms=300', 'failure_policy.on_lost=end']);
    const one = await env.startAgent('fake-1');
    const watcher = await env.startWatcher();
    const job = await env.submit(LONG);
    await env.run(job.id, 'fake-1');
    await env.stopAgent(one);
    await waitFor('fake-1 to be found lost', async () => (await watcher.sweep()).lost === 1);
    expect(await env.store.getJob(job.id)).toMatchObject({ state: 'over', outcome: 'lost' });
  });
});

describe('watcher: several watchers', () => {
  it('apply each request once, even when requests are sent twice', async () => {
    env = await WatcherEnv.create();
    await env.startAgent();
    await Promise.all([env.startWatcher(), env.startWatcher()]);
    const pending = await Promise.all(Array.from({ length: 10 }, () => env.submit()));
    const running = await Promise.all(Array.from({ length: 3 }, () => env.submit(LONG)));
    for (const [i, job] of running.entries()) await env.run(job.id, 'fake-2', `numa${i % 2}`);
    const ids: Array<{ jobId: number; id: string }> = [];
    for (const round of [1, 2]) {
      for (const job of pending) {
        ids.push({ jobId: job.id, id: await requestControl(env.queues, kill(job.id, round)) });
      }
      for (const job of running) {
        const msg = { action: 'reschedule', jobId: job.id, by: 'admin' } as const;
        ids.push({ jobId: job.id, id: await requestControl(env.queues, msg) });
      }
    }
    const answers = new Map<number, unknown[]>();
    for (const { jobId, id } of ids) {
      answers.set(jobId, [...(answers.get(jobId) ?? []), await env.answer(id)]);
    }
    for (const job of pending) {
      expect(answers.get(job.id)?.sort()).toEqual(['already-over', 'killed']);
      expect(await eventCount(job.id, EVENTS.ended)).toBe(1);
    }
    for (const job of running) {
      expect(answers.get(job.id)?.sort()).toEqual(['not-applicable', 'rescheduled']);
      expect(await eventCount(job.id, EVENTS.changed)).toBe(1);
      expect(await env.store.getJob(job.id)).toMatchObject({ state: 'pending', attempts: 1 });
    }
  });
});

function maxlifespan(seconds: number) {
  return {
    requirements: {
      cpu: 1,
      ram: 2 * 2 ** 30,
      gpus: 0,
      array: null,
      label: [],
      tasks: [],
      ports: [],
      tmpstorage: null,
      maxlifespan: seconds,
      executor: null,
      group: null,
    },
  };
}

function kill(jobId: number, round: number) {
  return { action: 'kill', jobId, by: 'alice', reason: `round ${round}` } as const;
}
