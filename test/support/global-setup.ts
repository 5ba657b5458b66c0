/**
 * vitest global setup: starts the real services the tests talk to (once per run, random ports,
 * temp dirs) and hands their addresses to tests through `inject(...)`. Stops them at the end.
 */
import type { TestProject } from 'vitest/node';
import type { RunningService } from '../../scripts/services/common.js';
import { startFerretDB } from '../../scripts/services/ferretdb.js';
import { startRedis } from '../../scripts/services/redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    mongoUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: RunningService[] = [];
  try {
    const [redis, mongo] = await Promise.all([startRedis(), startFerretDB()]);
    started.push(redis, mongo);
    project.provide('redisUrl', redis.url);
    project.provide('mongoUrl', mongo.url);
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
