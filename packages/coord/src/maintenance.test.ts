import { EVENTS } from '@god/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventPublisher } from './events.js';
import { isMaintenanceOn, readMaintenanceFlag, setMaintenanceFlag } from './maintenance.js';
import { Clients, makeTestKeys } from './test-helpers.js';

const clients = new Clients();
afterEach(() => clients.closeAll());

describe('maintenance flag', () => {
  it('is unset until an operator sets it; then what they set wins over the config', async () => {
    const keys = makeTestKeys();
    const redis = clients.connect();
    const publisher = createEventPublisher({ redis, keys });
    expect(await readMaintenanceFlag(redis, keys)).toBeNull();
    expect(await isMaintenanceOn(redis, keys, true)).toBe(true);
    expect(await isMaintenanceOn(redis, keys, false)).toBe(false);
    await setMaintenanceFlag({ redis, keys, publisher }, true);
    expect(await redis.hget(keys.schedulerSettings(), 'maintenance')).toBe('1');
    expect(await isMaintenanceOn(redis, keys, false)).toBe(true);
    await setMaintenanceFlag({ redis, keys, publisher }, false);
    expect(await redis.hget(keys.schedulerSettings(), 'maintenance')).toBe('0');
    expect(await isMaintenanceOn(redis, keys, true)).toBe(false);
  });

  it('publishes a settings event each time it is set, so the leader applies it at once', async () => {
    const keys = makeTestKeys();
    const redis = clients.connect();
    await setMaintenanceFlag(
      { redis, keys, publisher: createEventPublisher({ redis, keys }) },
      true,
    );
    const entries = await redis.xrange(keys.events(), '-', '+');
    expect(entries).toHaveLength(1);
    expect(entries[0]![1].join(' ')).toContain(EVENTS.settings);
  });
});
