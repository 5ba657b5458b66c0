/**
 * Confinement by construction against the real test daemon (#19): a job whose container would
 * have no memory limit (Docker reads Memory 0 as "unlimited") or a CPU set wider than the cores
 * it asked for is refused before any container exists; a normally submitted job's container
 * has exactly the bytes it asked for, with no swap beyond them.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseJobSubmission, type Job } from '@god/core';
import {
  cleanupRig,
  dockerAt,
  makeJob,
  makeRig,
  type JobShape,
  type TestRig,
} from './test-helpers.js';

const dockerHost = inject('dockerHost');
const docker = dockerAt(dockerHost);
let nextId = 100_000 + Math.floor(Math.random() * 800_000) * 10 + 5;
let rig: TestRig;

beforeAll(async () => {
  rig = await makeRig(dockerHost, `confine-test-${process.pid}`);
});

afterAll(async () => {
  await cleanupRig(dockerHost, rig);
});

/** Every container the daemon has for `job` (running or not). */
async function containersOf(job: Job): Promise<string[]> {
  const found = await docker.listContainers({
    all: true,
    filters: { label: [`god.job=${job.id}`] },
  });
  return found.map((c) => c.Names.join(','));
}

/** Starts a job of `shape` and expects a non-retryable refusal and no container at all. */
async function expectRefused(shape: JobShape, reason: RegExp): Promise<void> {
  const job = makeJob(nextId++, rig.hostName, shape);
  const started = await rig.executor.start(job);
  expect(started, JSON.stringify(shape)).toMatchObject({ ok: false, retryable: false });
  expect(started.ok ? '' : started.reason).toMatch(reason);
  expect(await containersOf(job)).toEqual([]);
}

describe('the docker executor (#19)', () => {
  it('refuses a job without a usable memory limit before any container exists', async () => {
    // 0 bytes is what `ram: 1e-300` (GB) rounded to: Docker would create it unlimited.
    await expectRefused({ cmd: 'sleep 30', ramBytes: 0 }, /memory limit of 0 bytes/);
    await expectRefused({ cmd: 'sleep 30', ramBytes: 1024 }, /memory limit of 1024 bytes/);
    await expectRefused({ cmd: 'sleep 30', ramBytes: 2 ** 22 + 0.5 }, /memory limit/);
  });

  it('refuses a CPU set wider than the cores the job asked for', async () => {
    await expectRefused({ cmd: 'sleep 30', cpu: 1, cpus: '0-1' }, /2 cores to a job of 1/);
  });

  it('gives a submitted job exactly the bytes it asked for, swap included', async () => {
    const sub = parseJobSubmission({
      container: { image: 'god-test/busybox:latest' },
      command: { cmd: 'sleep 30' },
      requirements: { ram: '100M' },
    });
    const job = makeJob(nextId++, rig.hostName, {
      cmd: 'sleep 30',
      ramBytes: sub.requirements.ram,
    });
    expect(await rig.executor.start(job)).toMatchObject({ ok: true });
    const info = await docker.getContainer(`god-${job.id}-1`).inspect();
    expect(info.HostConfig.Memory).toBe(100 * 2 ** 20);
    expect(info.HostConfig.MemorySwap).toBe(100 * 2 ** 20);
    expect(info.HostConfig.CpusetCpus).toBe('0');
    await rig.executor.kill(job.id, 'test over');
  });
});
