/**
 * Composition root of the agent role: opens the store and Redis from the configuration, creates
 * the configured executor (settings from `plugins.<name>`) and starts the agent.
 */
import { parseOrThrow, type Config } from '@god/core';
import { createKeys, createQueues, createRedis, redisOptions, type Logger } from '@god/coord';
import { createStore } from '@god/store';
import { createAgent, type Agent } from './agent.js';
import { executors } from './registry.js';

/** A running agent process and how to stop it. */
export interface AgentProcess {
  agent: Agent;
  /** Stops the agent (running jobs keep running) and closes every connection. */
  stop(): Promise<void>;
}

/** Starts the agent role for `config.executor`; `hostName` serves one host of several. */
export async function startAgentProcess(
  config: Config,
  logger: Logger,
  hostName?: string,
): Promise<AgentProcess> {
  const def = executors.get(config.executor);
  const settings = parseOrThrow(
    def.configSchema,
    config.plugins[def.name] ?? {},
    `plugins.${def.name}`,
    'INVALID_CONFIG',
  );
  const executor = def.create(settings, { logger, now: Date.now, config });
  const store = await createStore(config.store);
  const keys = createKeys(config.redis.prefix);
  const redis = createRedis(config.redis);
  const queues = createQueues({ connection: redisOptions(config.redis), keys, logger });
  const agent = createAgent({
    store,
    redis,
    keys,
    queues,
    executor,
    logger,
    heartbeatMs: 2_000,
    concurrency: 256,
    ...(hostName !== undefined && { hostName }),
  });
  await agent.start();
  return {
    agent,
    async stop() {
      await agent.stop();
      await queues.closeAll();
      await executor.close();
      redis.disconnect();
      await store.close();
    },
  };
}
