/**
 * `god maintenance on|off|status`: pauses or resumes scheduling for the whole cluster. The flag
 * lives in Redis (so any scheduler that becomes leader honours it) and a settings event makes the
 * current leader apply it at once. Jobs are still accepted; they wait with reason MAINTENANCE.
 */
import type { Config } from '@god/core';
import {
  createEventPublisher,
  createKeys,
  createRedis,
  isMaintenanceOn,
  setMaintenanceFlag,
} from '@god/coord';
import type { ExitCode, Output } from '../output.js';

/** Sets or shows the maintenance flag. */
export async function maintenance(config: Config, action: string, io: Output): Promise<ExitCode> {
  if (!['on', 'off', 'status'].includes(action)) {
    io.err(`god: maintenance takes on, off or status, not "${action}"`);
    return 2;
  }
  const keys = createKeys(config.redis.prefix);
  const redis = createRedis(config.redis, { maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  try {
    if (action !== 'status') {
      const publisher = createEventPublisher({ redis, keys });
      await setMaintenanceFlag({ redis, keys, publisher }, action === 'on');
    }
    const on = await isMaintenanceOn(redis, keys, config.scheduler.maintenance);
    io.out(`maintenance: ${on ? 'on (scheduling paused)' : 'off'}`);
    return 0;
  } finally {
    redis.disconnect();
  }
}
