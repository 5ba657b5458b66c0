/**
 * Composition root of the agent role: opens the store and Redis from the configuration, creates
 * the configured executor (settings from `plugins.<name>`) and starts the agent.
 */
import {
  grantMounts,
  parseOrThrow,
  taskDirOf,
  type Config,
  type HostModel,
  type Job,
  type ResolvedMount,
} from '@god/core';
import { createKeys, createQueues, createRedis, redisOptions, type Logger } from '@god/coord';
import { createStore } from '@god/store';
import { stripTaskDir } from '@god/taskfs';
import { createAgent, type Agent } from './agent.js';
import { executors } from './registry.js';
import { cpusetFor, detectTopology, shardsFor, TopologySettingsSchema } from './topology/index.js';

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
  const host = await hostModel(config, logger);
  const store = await createStore(config.store);
  const executor = def.create(settings, {
    logger,
    now: Date.now,
    config,
    ...(host !== null && { host }),
    resolveMounts: (job) => mountsOf(store, config, job),
  });
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
    heartbeatMs: config.agent.heartbeat_ms,
    concurrency: config.agent.concurrency,
    usageSampleMs: config.agent.usage_sample_s * 1000,
    sanitize: (job) => sanitizeTaskDir(config, job, logger),
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

/**
 * Strips set-uid/set-gid bits, file capabilities and device nodes from an ended job's task
 * directory, so nothing it left can raise anyone's rights on this host, whatever the mount
 * options of shared_dir (the container is gone: nothing can put them back from inside).
 */
async function sanitizeTaskDir(config: Config, job: Job, logger: Logger): Promise<void> {
  const owner = { uid: job.container.root ? 0 : job.user.uid };
  const done = await stripTaskDir(taskDirOf(config.shared_dir, job), owner);
  if (done.stripped + done.devices + done.sealed + done.foreign > 0)
    logger.warn({ jobId: job.id, ...done }, 'task directory made harmless');
}

/**
 * The mounts a job gets on this host: the grants checked again against the current configuration
 * and account (submission checked them too, but either may have changed since).
 */
async function mountsOf(
  store: Awaited<ReturnType<typeof createStore>>,
  config: Config,
  job: Job,
): Promise<ResolvedMount[]> {
  const account = await store.getUser(job.user.id);
  return grantMounts(
    config,
    { ...job.user, home: account?.home ?? null },
    { volumes: job.container.volumes, root: job.container.root },
  );
}

/**
 * This host's shards from its topology (hwloc, else sysfs) and `agent.topology`. A bad setting
 * stops the agent; a host whose topology cannot be read runs with the executor's own model.
 */
async function hostModel(config: Config, logger: Logger): Promise<HostModel | null> {
  const settings = parseOrThrow(
    TopologySettingsSchema,
    config.agent.topology,
    'agent.topology',
    'INVALID_CONFIG',
  );
  let detected;
  try {
    detected = await detectTopology();
  } catch (err) {
    logger.warn({ err }, 'host topology not readable: the executor uses its own host model');
    return null;
  }
  const { topology } = detected;
  const shards = shardsFor(topology, settings);
  logger.info(
    {
      source: detected.source,
      sockets: topology.sockets,
      shards: shards.map((s) => `${s.id}: cores ${s.cores.join(',')}, ${s.ramGB} GB`),
    },
    'host topology',
  );
  return {
    info: { name: '', labels: {}, shards, reservedFor: null, portRange: null },
    cpuset: (cores) => cpusetFor(topology, cores),
  };
}
