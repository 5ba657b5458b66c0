import { EVENTS, type ControlMessage } from '@god/core';
import { createNodeRegistry, queueNames } from '@god/coord';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makePlacement, waitFor } from '@god/testkit';
import { Harness } from './test-helpers.js';

/** Long enough that the job is still running whatever the test does meanwhile. */
const LONG = { FAKE_RUNTIME_MS: '600000' };

let h: Harness;
beforeEach(async () => {
  h = await Harness.create();
});
afterEach(async () => {
  await h.close();
});

describe('agent: dispatch', () => {
  it('runs a dispatched job to over/success, books its usage and publishes job.ended', async () => {
    await h.startAgent();
    const job = await h.submit({ FAKE_RUNTIME_MS: '20' });
    const msg = await h.place(job.id, 3);
    expect(await h.result(await h.dispatch(msg))).toBe('started');

    const over = await h.waitState(job.id, 'over');
    expect(over).toMatchObject({ outcome: 'success', status: { exitcode: 0, primary: 'over' } });
    expect(over.status.dates.started).not.toBeNull();
    expect(over.usage?.wallSeconds).toBeGreaterThanOrEqual(0.02);
    // RAM 2 GB for the wall time: usage comes from the executor's report.
    expect(over.usage?.ramGBSeconds).toBeCloseTo(2 * over.usage!.wallSeconds);
    const booked = await waitFor('usage to be booked', async () => {
      const t = await h.store.usageTotals({ user: 'alice', since: 0 });
      return t.jobs === 1 ? t : null;
    });
    expect(booked.wallSeconds).toBeCloseTo(over.usage!.wallSeconds);
    const ended = await waitFor('job.ended', async () =>
      (await h.events()).find((e) => e.type === EVENTS.ended && e.jobId === job.id),
    );
    expect(ended.outcome).toBe('success');
    expect(h.executor.startCount(job.id)).toBe(1);
  });

  it('ends a job that exits non-zero as failed with its exit code', async () => {
    await h.startAgent();
    const job = await h.submit({ FAKE_EXIT_CODE: '3' });
    await h.dispatch(await h.place(job.id));
    const over = await h.waitState(job.id, 'over');
    expect(over).toMatchObject({ outcome: 'failed', status: { exitcode: 3 } });
    expect(over.status.reason).toBe('exit code 3');
    const ended = await waitFor('job.ended', async () =>
      (await h.events()).find((e) => e.type === EVENTS.ended && e.jobId === job.id),
    );
    expect(ended.outcome).toBe('failed');
  });

  it('starts each job of a batch on its own, drops the stale and malformed ones', async () => {
    await h.startAgent();
    const jobs = await Promise.all([h.submit(LONG), h.submit(LONG), h.submit(LONG)]);
    const msgs = await Promise.all(jobs.map((j) => h.place(j.id)));
    const stale = { ...msgs[2]!, attempt: 7 };
    const queue = h.queues.createQueue(queueNames.shard(msgs[0]!.host, msgs[0]!.shard));
    const added = await queue.add('start', { batch: [msgs[0], msgs[1], stale, { jobId: 'x' }] });
    expect(await h.result({ queue, id: added.id! })).toBe('started,started,stale');
    for (const j of jobs.slice(0, 2)) expect((await h.store.getJob(j.id))?.state).toBe('running');
    expect((await h.store.getJob(jobs[2].id))?.state).toBe('scheduled');
    // The whole batch delivered again starts nothing twice.
    const again = await queue.add('start', { batch: msgs });
    expect(await h.result({ queue, id: again.id! })).toBe('stale,stale,started');
    for (const j of jobs) expect(h.executor.startCount(j.id)).toBe(1);
    // Not a batch at all, or an empty or oversized one: dropped whole.
    for (const data of [{ batch: [] }, { batch: Array(101).fill(msgs[0]) }, { batch: 'no' }]) {
      const bad = await queue.add('start', data);
      expect(await h.result({ queue, id: bad.id! })).toBe('malformed');
    }
  });

  it('never starts the same attempt twice, whoever re-sends the message', async () => {
    await h.startAgent();
    const job = await h.submit(LONG);
    const msg = await h.place(job.id);
    const first = await h.dispatch(msg);
    // BullMQ drops a second add with the same id...
    const again = await h.dispatch(msg);
    expect(again.id).toBe(first.id);
    expect(await h.result(first)).toBe('started');
    // ...and the agent drops the same message re-sent under another id (after a cleanup).
    expect(await h.result(await h.dispatch(msg, 'resent'))).toBe('stale');
    expect((await h.store.getJob(job.id))?.state).toBe('running');
    expect(h.executor.startCount(job.id)).toBe(1);
    expect(h.executor.doubleStarts()).toEqual([]);
  });

  it('drops stale messages: older attempt, other epoch, other shard', async () => {
    await h.startAgent();
    const job = await h.submit(LONG);
    const first = await h.place(job.id, 7);
    // The dispatch of attempt 1 failed somewhere: the job queued again and was placed again.
    await h.store.transition(job.id, 'scheduled', 'pending');
    const current = await h.place(job.id, 7);
    expect(current.attempt).toBe(2);

    expect(await h.result(await h.dispatch(first))).toBe('stale');
    expect(await h.result(await h.dispatch({ ...current, epoch: 6 }, 'old-epoch'))).toBe('stale');
    // The right message on the wrong shard's queue, and a message naming the wrong shard.
    expect(await h.result(await h.dispatch(current, 'wrong-queue', 'numa1'))).toBe('stale');
    const elsewhere = { ...current, shard: 'numa1' };
    expect(await h.result(await h.dispatch(elsewhere, 'elsewhere'))).toBe('stale');
    expect(h.executor.startCount(job.id)).toBe(0);
    expect((await h.store.getJob(job.id))?.state).toBe('scheduled');

    expect(await h.result(await h.dispatch(current))).toBe('started');
    expect(h.executor.startCount(job.id)).toBe(1);
  });

  it('does not start a job killed before its message was picked up', async () => {
    const job = await h.submit();
    const msg = await h.place(job.id);
    // The web kills it while it waits in the queue (no agent is running yet).
    await h.store.transition(job.id, 'scheduled', 'over', {
      outcome: 'killed',
      reason: 'by alice',
    });
    const handle = await h.dispatch(msg);
    await h.startAgent();
    expect(await h.result(handle)).toBe('stale');
    expect(h.executor.startCount(job.id)).toBe(0);
    expect((await h.store.getJob(job.id))?.outcome).toBe('killed');
  });

  it('queues a job again when its start fails in a way that may pass', async () => {
    await h.startAgent();
    const job = await h.submit({ FAKE_FAIL_START: 'retryable' });
    expect(await h.result(await h.dispatch(await h.place(job.id)))).toBe('requeued');
    const pending = await h.store.getJob(job.id);
    expect(pending).toMatchObject({ state: 'pending', placement: null, attempts: 1 });
    expect(pending?.why?.code).toBe('RESOURCES');
    expect(pending?.why?.message).toMatch(/^start failed: .*will retry$/);
    const changed = (await h.events()).find((e) => e.type === EVENTS.changed);
    expect(changed).toMatchObject({ jobId: job.id, state: 'pending' });
  });

  it('fails a job whose start fails for good', async () => {
    await h.startAgent();
    const job = await h.submit({ FAKE_FAIL_START: 'fatal' });
    expect(await h.result(await h.dispatch(await h.place(job.id)))).toBe('failed');
    const over = await h.store.getJob(job.id);
    expect(over).toMatchObject({ state: 'over', outcome: 'failed', status: { exitcode: null } });
    expect(over?.status.reason).toMatch(/^start failed: /);
    expect((await h.events()).some((e) => e.type === EVENTS.ended && e.jobId === job.id)).toBe(
      true,
    );
  });

  it('drops malformed messages without failing them', async () => {
    await h.startAgent();
    const queue = h.queues.createQueue(queueNames.shard('fake-1', 'numa0'));
    const added = await queue.add('dispatch', { jobId: 'x' });
    expect(await h.result({ queue, id: added.id! })).toBe('malformed');
  });
});

describe('agent: control', () => {
  it('kills a running job through its host control queue', async () => {
    await h.startAgent();
    const job = await h.submit(LONG);
    await h.result(await h.dispatch(await h.place(job.id, 1, makePlacement('fake-2', 'numa1'))));
    const msg = { jobId: job.id, action: 'kill', reason: 'killed by alice' } as const;
    expect(await h.result(await h.control('fake-2', msg))).toBe('kill-sent');
    const over = await h.waitState(job.id, 'over');
    expect(over).toMatchObject({ outcome: 'killed', status: { exitcode: null } });
    expect(over.status.reason).toBe('killed by alice');
    await waitFor('job.ended killed', async () =>
      (await h.events()).find((e) => e.type === EVENTS.ended && e.outcome === 'killed'),
    );
    expect(h.executor.runningJobs()).toEqual([]);
  });

  it('kills a job that has not started yet without ever starting it', async () => {
    await h.startAgent();
    const job = await h.submit();
    const msg = await h.place(job.id);
    const kill = { jobId: job.id, action: 'kill', reason: 'killed by alice' } as const;
    expect(await h.result(await h.control('fake-1', kill))).toBe('killed');
    expect(await h.result(await h.dispatch(msg))).toBe('stale');
    expect(h.executor.startCount(job.id)).toBe(0);
    expect((await h.store.getJob(job.id))?.outcome).toBe('killed');
  });

  it('suspends and resumes a running job, then it can still be killed', async () => {
    await h.startAgent();
    const job = await h.submit(LONG);
    await h.result(await h.dispatch(await h.place(job.id)));
    const ctl = (action: 'kill' | 'suspend' | 'resume') =>
      h.control('fake-1', { jobId: job.id, action, reason: `${action} by alice` });

    expect(await h.result(await ctl('resume'))).toBe('ignored');
    expect(await h.result(await ctl('suspend'))).toBe('suspended');
    expect(await h.store.getJob(job.id)).toMatchObject({
      state: 'suspended',
      status: { secondary: 'suspended', reason: 'suspend by alice' },
    });
    expect(await h.result(await ctl('suspend'))).toBe('ignored');
    expect(await h.result(await ctl('resume'))).toBe('resumed');
    expect((await h.store.getJob(job.id))?.state).toBe('running');
    expect(await h.result(await ctl('suspend'))).toBe('suspended');
    expect(await h.result(await ctl('kill'))).toBe('kill-sent');
    expect(await h.waitState(job.id, 'over')).toMatchObject({ outcome: 'killed' });
  });

  it('ignores requests for jobs that are not on its hosts', async () => {
    await h.startAgent({ hostName: 'fake-1' });
    const job = await h.submit(LONG);
    await h.place(job.id, 1, makePlacement('fake-2'));
    const kill = { jobId: job.id, action: 'kill', reason: 'x' } as const;
    expect(await h.result(await h.control('fake-1', kill))).toBe('ignored');
    expect((await h.store.getJob(job.id))?.state).toBe('scheduled');
  });
});

describe('agent: kill of an old attempt (reschedule)', () => {
  /** Plays the watcher's reschedule: `running -> pending`, then a kill naming the old attempt. */
  async function reschedule(id: number, host = 'fake-1') {
    const before = await h.store.getJob(id);
    const res = await h.store.transition(id, 'running', 'pending', { reason: 'rescheduled' });
    expect(res.ok).toBe(true);
    const kill = { jobId: id, action: 'kill', reason: 'rescheduled', attempt: before?.attempts };
    return h.result(await h.control(host, kill as ControlMessage));
  }

  it('stops the old run without ending the job, and its end is ignored', async () => {
    const seen: string[] = [];
    const note = (_: object, msg: string) => void seen.push(msg);
    await h.startAgent({ logger: { debug: note, info: note, warn: note, error: note } });
    const job = await h.submit(LONG);
    await h.result(await h.dispatch(await h.place(job.id)));
    expect(await reschedule(job.id)).toBe('old-run-killed');
    expect(h.executor.runningJobs()).toEqual([]);
    // The old run's end is read as stale and must not move the pending job anywhere.
    await waitFor('the old run end to be judged stale', () => seen.includes('stale exit'));
    expect(await h.store.getJob(job.id)).toMatchObject({ state: 'pending', attempts: 1 });
    expect((await h.events()).some((e) => e.type === EVENTS.ended)).toBe(false);
    // Placed again, it runs again as attempt 2.
    await h.result(await h.dispatch(await h.place(job.id, 1, makePlacement('fake-2'))));
    expect(await h.store.getJob(job.id)).toMatchObject({ state: 'running', attempts: 2 });
    expect(h.executor.startCount(job.id)).toBe(2);
  });

  it('leaves a newer attempt that runs here alone', async () => {
    await h.startAgent();
    const job = await h.submit(LONG);
    await h.result(await h.dispatch(await h.place(job.id)));
    await h.store.transition(job.id, 'running', 'pending', { reason: 'rescheduled' });
    // Placed again on the same host before the kill arrives: the dispatch stops the old run.
    expect(await h.result(await h.dispatch(await h.place(job.id)))).toBe('started');
    expect(await h.store.getJob(job.id)).toMatchObject({ state: 'running', attempts: 2 });
    const kill = { jobId: job.id, action: 'kill', reason: 'rescheduled', attempt: 1 } as const;
    expect(await h.result(await h.control('fake-1', kill))).toBe('ignored');
    expect(h.executor.runningJobs()).toEqual([job.id]);
    expect((await h.store.getJob(job.id))?.state).toBe('running');
  });

  it('kills the current run normally when the attempt is still the current one', async () => {
    await h.startAgent();
    const job = await h.submit(LONG);
    await h.result(await h.dispatch(await h.place(job.id)));
    const kill = { jobId: job.id, action: 'kill', reason: 'by bob', attempt: 1 } as const;
    expect(await h.result(await h.control('fake-1', kill))).toBe('kill-sent');
    expect(await h.waitState(job.id, 'over')).toMatchObject({ outcome: 'killed' });
  });
});

describe('agent: hosts and lifecycle', () => {
  it('registers its hosts, heartbeats them, and registers again after a removal', async () => {
    await h.startAgent({ heartbeatMs: 20 });
    const registry = createNodeRegistry({ redis: h.redis, keys: h.keys });
    const listed = await registry.list();
    expect(listed.map((e) => e.host.name)).toEqual(['fake-1', 'fake-2']);
    expect(listed[0]?.host.shards.map((s) => s.id)).toEqual(['numa0', 'numa1']);
    const hostsEvent = (await h.events()).find((e) => e.type === EVENTS.hosts);
    expect(hostsEvent?.hosts).toEqual(['fake-1', 'fake-2']);

    const seen = listed[0]!.lastSeen;
    await waitFor('a heartbeat', async () => (await registry.list())[0]!.lastSeen > seen);
    expect((await registry.alive(10_000)).length).toBe(2);

    await registry.remove('fake-2');
    await waitFor('fake-2 to come back', async () =>
      (await registry.list()).some((e) => e.host.name === 'fake-2'),
    );
  });

  it('serves only the named host', async () => {
    await h.startAgent({ hostName: 'fake-2' });
    const registry = createNodeRegistry({ redis: h.redis, keys: h.keys });
    expect((await registry.list()).map((e) => e.host.name)).toEqual(['fake-2']);
    const job = await h.submit(LONG);
    const msg = await h.place(job.id, 1, makePlacement('fake-2', 'numa1'));
    const served = await h.dispatch(msg);
    expect(await h.result(served)).toBe('started');
    expect(await served.queue.getWorkersCount()).toBe(1);
    // Nobody consumes fake-1's queues here.
    const other = await h.submit(LONG);
    const handle = await h.dispatch(await h.place(other.id));
    expect(await handle.queue.getWorkersCount()).toBe(0);
    await h.result(await h.dispatch(msg, 'probe')); // a later message on a served queue is done
    expect(await handle.queue.getJobState(handle.id)).toBe('waiting');
  });

  it('refuses to start for a host its executor does not report', async () => {
    await expect(h.startAgent({ hostName: 'nope' })).rejects.toThrow(/no host nope/);
  });

  it('stops without killing running jobs, and stops consuming', async () => {
    const agent = await h.startAgent();
    const job = await h.submit(LONG);
    await h.result(await h.dispatch(await h.place(job.id)));
    await agent.stop();
    expect(h.executor.runningJobs()).toEqual([job.id]);
    expect((await h.store.getJob(job.id))?.state).toBe('running');
    const later = await h.submit();
    const handle = await h.dispatch(await h.place(later.id));
    expect(await handle.queue.getWorkersCount()).toBe(0);
    expect(await handle.queue.getJobState(handle.id)).toBe('waiting');
  });
});
