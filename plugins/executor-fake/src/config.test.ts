import { describe, expect, it } from 'vitest';
import { buildHosts, delegatedHost, FakeExecutorConfigSchema } from './config.js';

describe('fake executor config', () => {
  it('defaults to one generated host and jobs that end at once', () => {
    const config = FakeExecutorConfigSchema.parse({});
    expect(config).toMatchObject({
      runtime_ms: 0,
      failure_rate: 0,
      start_latency_ms: 0,
      hosts: { count: 1, namePrefix: 'fake-' },
    });
    expect(buildHosts(config.hosts).map((h) => h.name)).toEqual(['fake-1']);
  });

  it('generates hosts of the given shape with per-host core and gpu ids', () => {
    const { hosts } = FakeExecutorConfigSchema.parse({
      hosts: {
        count: 3,
        shardsPerHost: 2,
        coresPerShard: 4,
        ramPerShardGB: 32,
        gpusPerShard: 1,
        labels: { zone: 'a' },
        namePrefix: 'node',
      },
    });
    const built = buildHosts(hosts);
    expect(built.map((h) => h.name)).toEqual(['node1', 'node2', 'node3']);
    expect(built[2]).toEqual({
      name: 'node3',
      labels: { zone: 'a' },
      shards: [
        { id: 'numa0', mems: '0', cores: [0, 1, 2, 3], ramGB: 32, gpus: [0] },
        { id: 'numa1', mems: '1', cores: [4, 5, 6, 7], ramGB: 32, gpus: [1] },
      ],
      reservedFor: null,
      portRange: [20000, 29999],
    });
    // Each host has its own objects: changing one does not change another.
    built[0]!.labels.zone = 'b';
    expect(built[1]!.labels.zone).toBe('a');
  });

  it('takes listed hosts with defaults for what they leave out', () => {
    const { hosts } = FakeExecutorConfigSchema.parse({
      hosts: [
        { name: 'big', shards: [{ id: 's0', cores: [0, 1], ramGB: 8 }] },
        {
          name: 'gpu',
          labels: { gpu: 'a100' },
          shards: [{ id: 's0', mems: '1', cores: [8], ramGB: 4, gpus: [0, 1] }],
          reservedFor: { users: ['alice'] },
          portRange: [1000, 1010],
        },
      ],
    });
    expect(buildHosts(hosts)).toEqual([
      {
        name: 'big',
        labels: {},
        shards: [{ id: 's0', mems: '0', cores: [0, 1], ramGB: 8, gpus: [] }],
        reservedFor: null,
        portRange: null,
      },
      {
        name: 'gpu',
        labels: { gpu: 'a100' },
        shards: [{ id: 's0', mems: '1', cores: [8], ramGB: 4, gpus: [0, 1] }],
        reservedFor: { users: ['alice'], projects: [] },
        portRange: [1000, 1010],
      },
    ]);
  });

  it.each([
    ['an unknown key', { runtime_ms: 1, speed: 2 }],
    ['a failure rate above 1', { failure_rate: 1.5 }],
    ['a negative run time', { runtime_ms: -1 }],
    ['no hosts', { hosts: [] }],
    ['an unknown generated-host key', { hosts: { count: 2, cpus: 4 } }],
    ['zero generated hosts', { hosts: { count: 0 } }],
    [
      'two hosts with one name',
      {
        hosts: [
          { name: 'h', shards: [{ id: 's', cores: [0], ramGB: 1 }] },
          { name: 'h', shards: [{ id: 's', cores: [0], ramGB: 1 }] },
        ],
      },
    ],
    [
      'two shards with one id',
      {
        hosts: [
          {
            name: 'h',
            shards: [
              { id: 's', cores: [0], ramGB: 1 },
              { id: 's', cores: [1], ramGB: 1 },
            ],
          },
        ],
      },
    ],
    ['a reversed port range', { hosts: { portRange: [2000, 1000] } }],
  ])('refuses %s', (_name, input) => {
    expect(FakeExecutorConfigSchema.safeParse(input).success).toBe(false);
  });
  it('delegating: one entry named after the executor, labelled, declaring its capacity', () => {
    expect(FakeExecutorConfigSchema.parse({}).delegated).toBeNull();
    const { delegated } = FakeExecutorConfigSchema.parse({ delegated: { cores: 3, ram_gb: 8 } });
    expect(delegated).toEqual({ cores: 3, ram_gb: 8, gpus: 0 });
    expect(delegatedHost('fake', delegated!)).toEqual({
      name: 'fake',
      labels: { 'god.delegated': 'true' },
      shards: [{ id: 'delegated', mems: '0', cores: [0, 1, 2], ramGB: 8, gpus: [] }],
      reservedFor: null,
      portRange: null,
    });
    expect(() => FakeExecutorConfigSchema.parse({ delegated: { cores: 0, ram_gb: 1 } })).toThrow();
  });
});
