/** The container spec: every security-relevant field, for user and root jobs. */
import { describe, expect, it } from 'vitest';
import { GodError, ValidationError, type ResolvedMount } from '@god/core';
import { testSettings, makeJob, type JobShape } from './test-helpers.js';
import { buildContainerSpec, commandOf, envOf, type SpecInput } from './spec.js';
import { assertSafe } from './safety.js';
import { assertConfined, confinementOf } from './confinement.js';

const settings = testSettings('unix:///run/test/docker.sock', { network: 'none' });
const home: ResolvedMount = {
  name: 'home',
  source: '/home/alice',
  target: '/home/alice',
  readOnly: false,
};
const db: ResolvedMount = { name: 'db', source: '/data/db', target: '/db', readOnly: true };

function input(shape: Partial<JobShape> = {}, over: Partial<SpecInput> = {}): SpecInput {
  return {
    job: makeJob(42, 'h1', { cmd: 'echo hi', sgids: [10, 20], cpus: '2-3', ...shape }),
    placement: makeJob(42, 'h1', { cmd: '', cpus: '2-3', ...shape }).placement ?? fail(),
    settings,
    hostName: 'h1',
    mounts: [home, db],
    taskDir: '/shared/alice/42',
    // Hyperthread siblings of cores 2 and 3 are 6 and 7 on this pretend host.
    cpuset: (cores) => (cores === '2-3' ? '2-3,6-7' : cores),
    cgroupParent: '/god/job-42-1',
    ...over,
  };
}

function fail(): never {
  throw new Error('unreachable');
}

describe('buildContainerSpec for a user job', () => {
  const spec = buildContainerSpec(input({ ramGB: 2, attempt: 3, cpu: 2 }));
  const hc = spec.HostConfig ?? fail();

  it('names and labels the container by job and attempt, with no secret', () => {
    expect(spec.name).toBe('god-42-3');
    expect(spec.Labels).toEqual({
      'god.job': '42',
      'god.attempt': '3',
      'god.epoch': '7',
      'god.user': 'alice',
      'god.host': 'h1',
      'god.ram_bytes': String(2 * 1024 ** 3),
      'god.gpus': '0',
    });
  });

  it('runs as uid:gid with the supplementary groups and without any capability', () => {
    expect(spec.User).toBe('1001:1001');
    expect(hc.GroupAdd).toEqual(['10', '20']);
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.CapAdd).toBeUndefined();
    expect(hc.Privileged).toBe(false);
    expect(hc.SecurityOpt).toEqual(['no-new-privileges']);
    expect(hc.ReadonlyRootfs).toBe(false);
  });

  it('pins to the cores with their hyperthreads and to the NUMA node', () => {
    expect(hc.CpusetCpus).toBe('2-3,6-7');
    expect(hc.CpusetMems).toBe('0');
  });

  it('limits memory to the request with no swap, and the number of processes', () => {
    expect(hc.Memory).toBe(2 * 1024 ** 3);
    expect(hc.MemorySwap).toBe(hc.Memory);
    expect(hc.PidsLimit).toBe(4096);
  });

  it('puts the run in its own cgroup parent and never removes itself', () => {
    expect(hc.CgroupParent).toBe('/god/job-42-1');
    expect(hc.AutoRemove).toBe(false);
    expect(hc.Init).toBe(true);
  });

  it('binds the task dir read-write at /mnt/god-data and the granted mounts as granted', () => {
    expect(hc.Mounts?.map((m) => [m.Type, m.Source, m.Target, m.ReadOnly])).toEqual([
      ['bind', '/shared/alice/42', '/mnt/god-data', false],
      ['bind', '/home/alice', '/home/alice', false],
      ['bind', '/data/db', '/db', true],
    ]);
    expect(hc.Binds).toBeUndefined();
  });

  it('uses the configured network and maps no port', () => {
    expect(hc.NetworkMode).toBe('none');
    expect(hc.PortBindings).toEqual({});
    expect(hc.DeviceRequests).toBeUndefined();
  });

  it('passes the safety check', () => {
    expect(() => assertSafe(spec, ['/run/test/docker.sock'])).not.toThrow();
  });

  it('passes the confinement check, which refuses any other memory or CPU set (#19)', () => {
    const i = input({ ramGB: 2, cpu: 2 });
    const cpuset = (cores: string): string => i.cpuset(cores);
    const c = confinementOf(i.job, i.placement, cpuset);
    expect(() => assertConfined(spec, c)).not.toThrow();
    const bad = (over: object): (() => void) => {
      const changed = { ...spec, HostConfig: { ...hc, ...over } };
      return () => assertConfined(changed, c);
    };
    for (const over of [
      { Memory: 0 },
      { Memory: undefined },
      { Memory: 2 * 1024 ** 3 + 1, MemorySwap: 2 * 1024 ** 3 + 1 },
      { MemorySwap: -1 },
      { MemorySwap: 0 },
      { CpusetCpus: '2-3,6-8' },
      { CpusetCpus: '' },
      { CpusetCpus: undefined },
      { CpusetMems: '0-1' },
    ])
      expect(bad(over), JSON.stringify(over)).toThrow(/container refused/);
    // A placement wider than the job's cores, or a job without a usable memory limit.
    expect(() =>
      confinementOf(
        { ...i.job, requirements: { ...i.job.requirements, cpu: 1 } },
        i.placement,
        cpuset,
      ),
    ).toThrow(/2 cores to a job of 1/);
    expect(() =>
      confinementOf(
        { ...i.job, requirements: { ...i.job.requirements, ram: 0 } },
        i.placement,
        cpuset,
      ),
    ).toThrow(/memory limit of 0 bytes/);
  });
});

describe('buildContainerSpec for a root job', () => {
  const spec = buildContainerSpec(input({ root: true }));
  const hc = spec.HostConfig ?? fail();

  it('runs as 0:0 with Docker default capabilities, still not privileged', () => {
    expect(spec.User).toBe('0:0');
    expect(hc.CapDrop).toBeUndefined();
    expect(hc.GroupAdd).toBeUndefined();
    expect(hc.Privileged).toBe(false);
    expect(hc.SecurityOpt).toEqual(['no-new-privileges']);
  });
});

describe('ports and GPUs', () => {
  it('maps container port i to placed host port i on a network that can', () => {
    const spec = buildContainerSpec(
      input(
        { ports: [80, 443], hostPorts: [20001, 20002] },
        { settings: { ...settings, network: 'bridge' } },
      ),
    );
    expect(spec.ExposedPorts).toEqual({ '80/tcp': {}, '443/tcp': {} });
    expect(spec.HostConfig?.PortBindings).toEqual({
      '80/tcp': [{ HostPort: '20001' }],
      '443/tcp': [{ HostPort: '20002' }],
    });
  });

  it('refuses ports on the network none, for good', () => {
    const build = (): unknown => buildContainerSpec(input({ ports: [80], hostPorts: [20001] }));
    expect(build).toThrow(GodError);
    expect(build).toThrow(/network is 'none'/);
  });

  it('refuses a placement with fewer host ports than container ports', () => {
    const bridge = { settings: { ...settings, network: 'bridge' } };
    expect(() => buildContainerSpec(input({ ports: [80, 81], hostPorts: [1] }, bridge))).toThrow(
      /1 host ports for 2 container ports/,
    );
  });

  it('requests the placed GPUs from the configured driver', () => {
    const base = input();
    const spec = buildContainerSpec({ ...base, placement: { ...base.placement, gpus: [1, 3] } });
    expect(spec.HostConfig?.DeviceRequests).toEqual([
      { Driver: 'nvidia', DeviceIDs: ['1', '3'], Capabilities: [['gpu']] },
    ]);
  });
});

describe('envOf', () => {
  const job = makeJob(9, 'h1', { cmd: '', env: { A: '1', GODOCKER_PWD: '/forged' } });

  it('adds the GODOCKER variables over the job env, HOME from the home mount', () => {
    expect(envOf(job, [home])).toEqual([
      'A=1',
      'GODOCKER_PWD=/mnt/god-data',
      'GODOCKER_JID=9',
      'GODOCKER_HOME=/home/alice',
    ]);
  });

  it('uses the task dir as GODOCKER_HOME without a home mount', () => {
    expect(envOf(job, [db])).toContain('GODOCKER_HOME=/mnt/god-data');
  });

  it('adds the task id of an array task unless the job env has it', () => {
    const task = makeJob(10, 'h1', { cmd: '', taskId: 4 });
    expect(envOf(task, [])).toContain('GODOCKER_TASK_ID=4');
    const given = makeJob(11, 'h1', { cmd: '', taskId: 4, env: { GODOCKER_TASK_ID: '5' } });
    expect(envOf(given, [])).toContain('GODOCKER_TASK_ID=5');
    expect(envOf(given, []).filter((e) => e.startsWith('GODOCKER_TASK_ID='))).toHaveLength(1);
  });

  it('adds FIRST/LAST/STEP from an array spec', () => {
    const arr = makeJob(12, 'h1', { cmd: '' });
    arr.requirements.array = { spec: '1:9:3', first: 1, last: 9, step: 3, count: 3, limit: 0 };
    expect(envOf(arr, [])).toEqual(
      expect.arrayContaining([
        'GODOCKER_TASK_FIRST=1',
        'GODOCKER_TASK_LAST=9',
        'GODOCKER_TASK_STEP=3',
      ]),
    );
  });

  it('refuses a variable name that is not one, naming it', () => {
    const bad = makeJob(13, 'h1', { cmd: '', env: { 'A=B': 'x' } });
    expect(() => envOf(bad, [])).toThrow(ValidationError);
    expect(() => envOf(bad, [])).toThrow(/env\.A=B/);
  });
});

describe('commandOf', () => {
  it('runs a script with a shebang by itself, and one without by /bin/sh', () => {
    const redirect = '>"$GODOCKER_PWD/god.log" 2>"$GODOCKER_PWD/god.err"';
    expect(commandOf('#!/usr/bin/env python3\nprint(1)')).toEqual([
      '/bin/sh',
      '-c',
      `exec "$0" ${redirect}`,
      '/mnt/god-data/god.sh',
    ]);
    expect(commandOf('echo hi')).toEqual([
      '/bin/sh',
      '-c',
      `exec /bin/sh "$0" ${redirect}`,
      '/mnt/god-data/god.sh',
    ]);
  });
});
