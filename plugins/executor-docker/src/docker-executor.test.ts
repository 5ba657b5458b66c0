/**
 * The docker executor against the real test daemon (`god-test/busybox:latest`): what a job sees
 * inside its container (user, groups, cpuset, capabilities, memory limit, no socket), how its
 * ends are reported (exit codes, OOM, kills, usage), suspend/resume, and recovery by a second
 * executor instance as after an agent restart.
 */
import { spawnSync } from 'node:child_process';
import { chmod, readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ValidationError, type ExitReport, type Job } from '@god/core';
import {
  cleanupRig,
  dockerAt,
  makeJob,
  makeRig,
  waitForDocker,
  type JobShape,
  type TestRig,
} from './test-helpers.js';

const dockerHost = inject('dockerHost');
const docker = dockerAt(dockerHost);
/** Job ids of this run: random, so cgroup dirs of parallel runs never meet. */
let nextId = 100_000 + Math.floor(Math.random() * 800_000) * 10;
let rig: TestRig;

beforeAll(async () => {
  rig = await makeRig(dockerHost, `exec-test-${process.pid}`);
});

afterAll(async () => {
  await cleanupRig(dockerHost, rig);
});

/** Starts a job of `shape` on the main rig and returns it once its start succeeded. */
async function run(shape: JobShape, target: TestRig = rig): Promise<Job> {
  const job = makeJob(nextId++, target.hostName, shape);
  const started = await target.executor.start(job);
  expect(started).toMatchObject({ ok: true });
  return job;
}

/** The report of `job` once it arrived. */
function reportOf(job: Job, target: TestRig = rig): Promise<ExitReport> {
  return waitForDocker(`end of job ${job.id}`, () =>
    target.reports.find((r) => r.jobId === job.id),
  );
}

/** A file of `job`'s task directory. */
function taskFile(job: Job, name: string, target: TestRig = rig): Promise<string> {
  return readFile(`${target.sharedDir}/alice/${job.id}/${name}`, 'utf8');
}

/** Runs `shape` to its end and returns its report and god.log. */
async function runToEnd(shape: JobShape): Promise<{ report: ExitReport; log: string; job: Job }> {
  const job = await run(shape);
  const report = await reportOf(job);
  return { report, log: await taskFile(job, 'god.log'), job };
}

describe('inside the container', () => {
  it('runs the script as the job uid:gid with its supplementary groups', async () => {
    const { report, log, job } = await runToEnd({
      cmd: 'id',
      uid: 1234,
      gid: 2345,
      sgids: [3001, 3002],
    });
    expect(report.outcome).toBe('success');
    expect(log).toMatch(/uid=1234 gid=2345/);
    const groups = /groups=(\S+)/.exec(log)?.[1]?.split(',') ?? [];
    expect(groups).toEqual(expect.arrayContaining(['3001', '3002']));
    const dir = await stat(`${rig.sharedDir}/alice/${job.id}`);
    expect([dir.uid, dir.gid, dir.mode & 0o777]).toEqual([1234, 2345, 0o700]);
    const script = await stat(`${rig.sharedDir}/alice/${job.id}/god.sh`);
    expect([script.uid, script.gid, script.mode & 0o777]).toEqual([1234, 2345, 0o755]);
  });

  it('lets no other local account list job ids; the user reaches their own task directory', async () => {
    const { job } = await runToEnd({ cmd: 'true', uid: 1234, gid: 2345 });
    const userDir = `${rig.sharedDir}/alice`;
    const st = await stat(userDir);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([0, 2345, 0o710]);
    // shared_dir as an administrator would leave it for users: enterable, not listable.
    await chmod(rig.sharedDir, 0o711);
    const as = (uid: number, gid: number, path: string): number | null =>
      spawnSync('ls', [path], { uid, gid, stdio: 'ignore' }).status;
    expect(as(4321, 4321, userDir)).not.toBe(0);
    expect(as(4321, 4321, `${userDir}/${job.id}`)).not.toBe(0);
    expect(as(1234, 2345, `${userDir}/${job.id}`)).toBe(0);
  });

  it('pins to the placed cpuset, sets no_new_privs and drops every capability', async () => {
    const { log } = await runToEnd({
      cmd: 'grep -E "^(Cpus_allowed_list|NoNewPrivs|CapEff)" /proc/self/status',
      cpus: '1',
    });
    expect(log).toMatch(/Cpus_allowed_list:\s+1\n/);
    expect(log).toMatch(/NoNewPrivs:\s+1\n/);
    expect(log).toMatch(/CapEff:\s+0000000000000000\n/);
  });

  it('does not see the Docker socket and has its memory limit', async () => {
    const { log } = await runToEnd({
      cmd: [
        'if [ -e /var/run/docker.sock ] || [ -e /run/docker.sock ]; then echo socket; else echo nosocket; fi',
        'cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
        'cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo noswapacct',
      ].join('\n'),
      ramGB: 0.125,
    });
    const [socket, limit] = log.split('\n');
    expect(socket).toBe('nosocket');
    expect(Number(limit)).toBe(0.125 * 1024 ** 3);
  });

  it('gives the GODOCKER_ variables, the job env and the task dir as working dir', async () => {
    const { log } = await runToEnd({
      cmd: 'echo "$GODOCKER_JID $GODOCKER_PWD $GODOCKER_HOME $GODOCKER_TASK_ID $FOO $(pwd)"',
      env: { FOO: 'bar', GODOCKER_JID: 'forged' },
      taskId: 3,
    });
    const jid = /^(\d+) /.exec(log)?.[1];
    expect(log.trim()).toBe(`${jid} /mnt/god-data /mnt/god-data 3 bar /mnt/god-data`);
    expect(jid).not.toBe('forged');
  });
});

describe('ends', () => {
  it('writes stdout to god.log and stderr to god.err, and propagates the exit code', async () => {
    const { report, log, job } = await runToEnd({ cmd: 'echo out\necho err >&2\nexit 3' });
    expect(log).toBe('out\n');
    expect(await taskFile(job, 'god.err')).toBe('err\n');
    expect(report).toMatchObject({ outcome: 'failed', exitcode: 3, reason: 'exit code 3' });
    expect(report.endedAt).toBeGreaterThanOrEqual(report.startedAt);
  });

  it('runs a script with its own shebang (#!/bin/sh -e stops at the first failure)', async () => {
    const { report, log } = await runToEnd({ cmd: '#!/bin/sh -e\necho a\nfalse\necho b\n' });
    expect(log).toBe('a\n');
    expect(report).toMatchObject({ outcome: 'failed', exitcode: 1 });
  });

  it('ends a job that allocates beyond its limit as failed, out of memory', async () => {
    // busybox tail keeps the whole (newline-free) input: 200 MB against a 64 MB limit.
    const { report } = await runToEnd({ cmd: 'head -c 200m /dev/zero | tail', ramGB: 0.0625 });
    expect(report.outcome).toBe('failed');
    expect(report.reason).toBe('out of memory: exceeded its 64 MiB limit');
  });

  it('measures the CPU time of a busy second, within wall time x cores', async () => {
    const { report } = await runToEnd({
      cmd: 'yes > /dev/null &\nsleep 1\nkill $!',
      ramGB: 0.5,
    });
    expect(report.outcome).toBe('success');
    const u = report.usage;
    expect(u.cpuSeconds).toBeGreaterThan(0.2);
    expect(u.cpuSeconds).toBeLessThan(u.wallSeconds * 1 + 0.1);
    expect(u.wallSeconds).toBeGreaterThanOrEqual(1);
    expect(u.ramGBSeconds).toBeCloseTo(0.5 * u.wallSeconds, 6);
    expect(u.gpuSeconds).toBe(0);
  });

  it('measures a running busy job live: its CPU time grows; nothing once it ended', async () => {
    const job = await run({ cmd: 'yes > /dev/null &\nsleep 60', ramGB: 0.5 });
    const first = await waitForDocker('a first CPU reading', async () => {
      const u = await rig.executor.usageNow(job.id);
      return u !== null && u.cpuSeconds > 0.2 ? u : undefined;
    });
    const later = await waitForDocker('the CPU time to grow', async () => {
      const u = await rig.executor.usageNow(job.id);
      return u !== null && u.cpuSeconds > first.cpuSeconds + 0.3 ? u : undefined;
    });
    expect(later.memBytes).toBeGreaterThan(0);
    expect(later.memBytes).toBeLessThan(0.5 * 1024 ** 3);
    expect(later.peakMemBytes).toBeGreaterThanOrEqual(later.memBytes);
    expect(await rig.executor.usageNow(nextId + 999)).toBeNull();
    await rig.executor.kill(job.id, 'done measuring');
    await reportOf(job);
    expect(await rig.executor.usageNow(job.id)).toBeNull();
  });

  it('samples peak memory without page cache', async () => {
    // 48 MB held in a shell variable for 4 s: samples every second, with room for a loaded
    // machine delaying the sampler's timer; page cache is not counted.
    const { report } = await runToEnd({
      cmd: 'x=$(head -c 48m /dev/zero | tr "\\0" a)\nsleep 4\necho ${#x}',
      ramGB: 0.5,
    });
    expect(report.outcome).toBe('success');
    expect(report.usage.maxRamBytes).toBeGreaterThan(40 * 1024 ** 2);
    expect(report.usage.maxRamBytes).toBeLessThan(0.5 * 1024 ** 3);
  });

  it('removes the container and its cgroup once the end was handled', async () => {
    const { job } = await runToEnd({ cmd: 'true' });
    await waitForDocker('the container to go', async () => {
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`god.job=${job.id}`] },
      });
      return left.length === 0 ? true : undefined;
    });
    await expect(stat(`/sys/fs/cgroup/cpuacct/god/job-${job.id}-1`)).rejects.toThrow(/ENOENT/);
  });
});

describe('kill, suspend, resume', () => {
  it('kill ends a sleeping job as killed within the grace (SIGTERM reaches it)', async () => {
    const job = await run({ cmd: 'sleep 60' });
    const t0 = Date.now();
    await rig.executor.kill(job.id, 'killed by alice');
    const report = await reportOf(job);
    expect(report).toMatchObject({ outcome: 'killed', reason: 'killed by alice' });
    // The grace is 20 s: an end well before means SIGTERM did it, not the SIGKILL after it.
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('suspend pauses the container and resume lets it continue', async () => {
    const job = await run({ cmd: 'sleep 60' });
    const name = `god-${job.id}-1`;
    await rig.executor.suspend(job.id);
    expect((await docker.getContainer(name).inspect()).State.Paused).toBe(true);
    await rig.executor.resume(job.id);
    const state = (await docker.getContainer(name).inspect()).State;
    expect([state.Paused, state.Running]).toEqual([false, true]);
    await rig.executor.suspend(job.id);
    // A paused job can still be killed.
    await rig.executor.kill(job.id, 'killed while suspended');
    expect(await reportOf(job)).toMatchObject({ outcome: 'killed' });
  });

  it('kill, suspend and resume of a job without a container do nothing', async () => {
    await rig.executor.kill(1, 'nothing');
    await rig.executor.suspend(1);
    await rig.executor.resume(1);
    expect(rig.lines.filter((l) => /"jobId":1[,}]/.test(l)).length).toBe(3);
  });
});

describe('start failures', () => {
  it('refuses an image that is not there (pull never), for good', async () => {
    const job = makeJob(nextId++, rig.hostName, { cmd: 'true', image: 'god-test/absent:1' });
    expect(await rig.executor.start(job)).toEqual({
      ok: false,
      retryable: false,
      reason: 'image god-test/absent:1 not found',
    });
  });

  it('refuses ports on the network none, for good', async () => {
    const job = makeJob(nextId++, rig.hostName, { cmd: 'true', ports: [80], hostPorts: [20001] });
    const res = await rig.executor.start(job);
    expect(res).toMatchObject({ ok: false, retryable: false });
    expect(!res.ok && res.reason).toMatch(/network is 'none'/);
  });

  it('fails for good with the message of a refused mount', async () => {
    const refusing = await makeRig(dockerHost, `exec-test-${process.pid}-m`, {
      mounts: () =>
        Promise.reject(
          new ValidationError('volumes', [{ path: 'container.volumes.0', message: 'not granted' }]),
        ),
    });
    try {
      const job = makeJob(nextId++, refusing.hostName, { cmd: 'true' });
      expect(await refusing.executor.start(job)).toEqual({
        ok: false,
        retryable: false,
        reason: 'volumes: container.volumes.0: not granted',
      });
    } finally {
      await cleanupRig(dockerHost, refusing);
    }
  });

  it('pulls a missing image with the registry credentials, never showing them', async () => {
    const secret = 's3cret-pw-do-not-log';
    const pulling = await makeRig(dockerHost, `exec-test-${process.pid}-p`, {
      settings: {
        pull: 'missing',
        registries: [{ server: 'registry.invalid', username: 'bot', password: secret }],
      },
    });
    try {
      const image = 'registry.invalid/team/app:1';
      const res = await pulling.executor.start(
        makeJob(nextId++, pulling.hostName, { cmd: 'true', image }),
      );
      // No such registry: the pull fails (not found, or retryable when the daemon cannot resolve it).
      expect(res.ok).toBe(false);
      expect(JSON.stringify(res)).not.toContain(secret);
      expect(pulling.lines.join('\n')).not.toContain(secret);
      expect(pulling.lines.join('\n')).toContain('start failed');
    } finally {
      await cleanupRig(dockerHost, pulling);
    }
  });

  it('is retryable when the daemon cannot be reached', async () => {
    const away = await makeRig('unix:///nonexistent/docker.sock', 'exec-test-away');
    try {
      const res = await away.executor.start(makeJob(nextId++, 'exec-test-away', { cmd: 'true' }));
      expect(res).toMatchObject({ ok: false, retryable: true });
    } finally {
      await cleanupRig(dockerHost, away);
    }
  });
});

describe('ends survive the executor', () => {
  it('a second instance recovers a running job and reports one that ended meanwhile, once', async () => {
    const first = await makeRig(dockerHost, `exec-test-${process.pid}-r`);
    try {
      const long = await run({ cmd: 'sleep 60' }, first);
      const short = await run({ cmd: 'sleep 1; exit 4' }, first);
      await first.executor.close();
      await waitForDocker('the short job to end', async () => {
        const s = (await docker.getContainer(`god-${short.id}-1`).inspect()).State;
        return s.Status === 'exited' ? true : undefined;
      });
      expect(first.reports).toEqual([]);

      const second = first.reopen();
      const reports: ExitReport[] = [];
      second.onExit((r) => {
        reports.push(r);
      });
      const { running } = await second.recover();
      expect(running).toEqual([{ jobId: long.id, attempt: 1, epoch: 7 }]);
      await waitForDocker('the short job report', () => (reports.length > 0 ? true : undefined));
      await waitForDocker('the short container to go', async () => {
        const left = await docker.listContainers({
          all: true,
          filters: { label: [`god.job=${short.id}`] },
        });
        return left.length === 0 ? true : undefined;
      });
      // Another sweep finds nothing more to report.
      expect((await second.recover()).running).toHaveLength(1);
      expect(reports).toMatchObject([{ jobId: short.id, outcome: 'failed', exitcode: 4 }]);

      await second.kill(long.id, 'cleanup');
      await waitForDocker('the long job report', () => (reports.length === 2 ? true : undefined));
      expect(reports[1]).toMatchObject({ jobId: long.id, outcome: 'killed' });
      await second.close();
    } finally {
      await cleanupRig(dockerHost, first);
    }
  });

  it('keeps the container of an end a listener failed to handle, and reports it again', async () => {
    const failing = await makeRig(dockerHost, `exec-test-${process.pid}-f`);
    try {
      let calls = 0;
      failing.executor.onExit(() => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('store away')) : Promise.resolve();
      });
      const job = await run({ cmd: 'true' }, failing);
      await waitForDocker('the first report', () => (calls >= 1 ? true : undefined));
      const name = `god-${job.id}-1`;
      expect((await docker.getContainer(name).inspect()).State.Status).toBe('exited');
      await failing.executor.recover();
      await waitForDocker('the container to go', async () => {
        const left = await docker.listContainers({ all: true, filters: { name: [name] } });
        return left.length === 0 ? true : undefined;
      });
      expect(calls).toBe(2);
    } finally {
      await cleanupRig(dockerHost, failing);
    }
  });
});
