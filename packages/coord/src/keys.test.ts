import { ValidationError } from '@god/core';
import { describe, expect, it } from 'vitest';
import { counterNames, createKeys, queueNames } from './keys.js';

describe('keys', () => {
  it('builds every key under the GO-Docker prefix by default', () => {
    const k = createKeys();
    expect(k.prefix).toBe('god');
    expect(k.lease('scheduler')).toBe('god:leader:scheduler');
    expect(k.leaseEpoch('scheduler')).toBe('god:leader:scheduler:epoch');
    expect(k.events()).toBe('god:events');
    expect(k.counters()).toBe('god:counters');
    expect(k.schedulerSettings()).toBe('god:scheduler:settings');
    expect(k.schedulerStats()).toBe('god:scheduler:stats');
    expect(k.loginFailures('addr', 'ab12'.repeat(8))).toBe(
      `god:auth:failures:addr:${'ab12'.repeat(8)}`,
    );
    expect(k.nodes()).toBe('god:nodes');
    expect(k.node('node-1.example.org')).toBe('god:node:node-1.example.org');
    expect(k.shard('node-1', 0)).toBe('god:shard:node-1:0');
    expect(k.bullPrefix).toBe('god:bull');
  });

  it('uses the configured prefix everywhere', () => {
    const k = createKeys('site_b');
    const built = [
      k.lease('x'),
      k.leaseEpoch('x'),
      k.events(),
      k.counters(),
      k.schedulerSettings(),
      k.schedulerStats(),
      k.loginFailures('pair', '0'.repeat(64)),
      k.revokedSession('0'.repeat(64)),
      k.sessionsEnded('0'.repeat(64)),
      k.nodes(),
      k.node('h'),
      k.shard('h', 1),
      k.bullPrefix,
    ];
    for (const key of built) expect(key.startsWith('site_b:')).toBe(true);
  });

  it.each(['', 'god:', 'a b', 'a*', 'x'.repeat(65)])('refuses the prefix %j', (prefix) => {
    expect(() => createKeys(prefix)).toThrow(ValidationError);
  });

  it('refuses segments that would collide or glob', () => {
    const k = createKeys();
    expect(() => k.lease('a:b')).toThrow(/lease name/);
    expect(() => k.node('')).toThrow(/host/);
    expect(() => k.node('h*')).toThrow(/host/);
    expect(() => k.shard('h', -1)).toThrow(/shard/);
    expect(() => k.shard('h', 1.5)).toThrow(/shard/);
    expect(k.liveUsage(42)).toMatch(/:usage:live:42$/);
    expect(() => k.liveUsage(-1)).toThrow(/jobId/);
    // Failure counters are keyed by digests only: a raw login or address never reaches a key.
    expect(() => k.loginFailures('pair', 'alice')).toThrow(/digest/);
    expect(() => k.loginFailures('addr', '::1')).toThrow(/digest/);
    expect(() => k.revokedSession('s.abc')).toThrow(/digest/);
  });

  it('names counters and queues', () => {
    expect(counterNames.pending()).toBe('pending');
    expect(counterNames.pendingOfUser('alice')).toBe('pending:user:alice');
    expect(() => counterNames.pendingOfUser('al ice')).toThrow(/user/);
    expect(queueNames.shard('node-1.example.org', 3)).toBe('shard.node-1.example.org.3');
    expect(queueNames.shard('node-1.example.org', 'numa0')).toBe('shard.node-1.example.org.numa0');
    expect(queueNames.hostControl('node-1.example.org')).toBe('control.node-1.example.org');
    // A dotted shard id would make `shard.a.b.c` ambiguous (host a.b or host a?).
    expect(() => queueNames.shard('h', 'numa.0')).toThrow(/shard/);
    expect(() => queueNames.shard('h', '')).toThrow(/shard/);
    expect(() => queueNames.shard('h', -1)).toThrow(/shard/);
    expect(() => queueNames.hostControl('a:b')).toThrow(/host/);
    // BullMQ refuses ':' in queue names.
    for (const name of [
      queueNames.control,
      queueNames.archive,
      queueNames.notify,
      queueNames.shard('h', 0),
      queueNames.shard('h', 'numa0'),
      queueNames.hostControl('h'),
    ]) {
      expect(name).not.toContain(':');
    }
  });
});
