import { describe, expect, it } from 'vitest';
import type { ClusterHost } from '@god/client';
import { cellLabel, formatGB, hostStatus, hostTotals, jobColour, reservedText } from './cluster.js';

const host: ClusterHost = {
  name: 'n1',
  alive: true,
  lastSeen: 0,
  labels: {},
  reservedFor: null,
  shards: [
    {
      id: 'numa0',
      cores: [
        { id: 0, job: 'busy' },
        { id: 1, job: null },
      ],
      ramGB: 8,
      ramUsedGB: 2,
      gpus: [{ id: 0, job: { id: 3, user: 'alice', name: 'x' } }],
    },
    { id: 'numa1', cores: [{ id: 2, job: null }], ramGB: 8, ramUsedGB: 0.25, gpus: [] },
  ],
};

describe('the cluster map’s labels', () => {
  it('names a visible job, and says only busy or free otherwise', () => {
    expect(cellLabel('core', 3, { id: 42, user: 'alice', name: 'n' })).toBe(
      'core 3: job 42 (alice)',
    );
    expect(cellLabel('core', 3, 'busy')).toBe('core 3: busy');
    expect(cellLabel('gpu', 0, null)).toBe('gpu 0: free');
  });

  it('marks a lost host lost even when reserved, and says for whom a host is kept', () => {
    const kept = { ...host, reservedFor: { users: ['bob'], projects: [] } };
    expect(hostStatus(host)).toBe('up');
    expect(hostStatus(kept)).toBe('reserved');
    expect(hostStatus({ ...kept, alive: false })).toBe('lost');
    expect(reservedText({ users: ['bob', 'eve'], projects: ['astro'] })).toBe(
      'users bob, eve; projects astro',
    );
  });

  it('sums a host’s shards', () => {
    expect(hostTotals(host)).toEqual({
      cores: 3,
      coresBusy: 1,
      gpus: 1,
      gpusBusy: 1,
      ramGB: 16,
      ramUsedGB: 2.25,
    });
    expect(formatGB(2.25)).toBe('2.3 GB');
    expect(formatGB(512)).toBe('512 GB');
  });

  it('spreads the colours of neighbouring job ids apart', () => {
    const hue = (id: number) => Number(/^hsl\((\d+) /.exec(jobColour(id))![1]);
    for (let id = 1; id < 50; id++)
      expect(Math.abs(hue(id) - hue(id + 1)) % 360).toBeGreaterThan(60);
  });
});
