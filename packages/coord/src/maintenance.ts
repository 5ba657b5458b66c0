/**
 * The cluster-wide maintenance flag (`god maintenance on|off`, `PUT /api/v1/maintenance`): a
 * field of the scheduler settings hash, so any scheduler that becomes leader honours it, and a
 * settings event that makes the current leader re-read it at once. Jobs are still accepted
 * while it is on; they wait with reason MAINTENANCE.
 */
import { EVENTS } from '@god/core';
import type { Redis } from 'ioredis';
import type { EventPublisher } from './events.js';
import type { Keys } from './keys.js';

/** What an operator last set: true (on), false (off), or null when nobody did. */
export async function readMaintenanceFlag(redis: Redis, keys: Keys): Promise<boolean | null> {
  const flag = await redis.hget(keys.schedulerSettings(), 'maintenance');
  return flag === null ? null : flag === '1';
}

/**
 * Whether scheduling is paused: what an operator last set wins; without it the configuration
 * (`scheduler.maintenance`) decides, exactly as the leader does.
 */
export async function isMaintenanceOn(
  redis: Redis,
  keys: Keys,
  configured: boolean,
): Promise<boolean> {
  return (await readMaintenanceFlag(redis, keys)) ?? configured;
}

/** Sets the flag and tells the current leader (settings event), which applies it at once. */
export async function setMaintenanceFlag(
  deps: { redis: Redis; keys: Keys; publisher: EventPublisher },
  on: boolean,
): Promise<void> {
  await deps.redis.hset(deps.keys.schedulerSettings(), 'maintenance', on ? '1' : '0');
  await deps.publisher.publish(EVENTS.settings, { maintenance: on });
}
