/** The docker executor plugin: placed jobs run as confined containers on the agent's host. */
import type { ExecutorContext, ExecutorDefinition } from '@god/core';
import {
  DockerExecutorConfigSchema,
  resolveDockerHost,
  resolveHostName,
  type DockerExecutorConfig,
} from './config.js';
import { createDockerExecutor, type DockerExecutor } from './docker-executor.js';

/** The `docker` executor definition. */
export const dockerExecutor = {
  kind: 'executor',
  name: 'docker',
  configSchema: DockerExecutorConfigSchema,
  create: (settings: DockerExecutorConfig, ctx: ExecutorContext): DockerExecutor =>
    createDockerExecutor(
      {
        settings,
        // Docker's own convention: DOCKER_HOST when the setting is empty.
        daemon: resolveDockerHost(settings.docker_host, process.env['DOCKER_HOST']),
        hostName: resolveHostName(settings.host_name),
      },
      ctx,
    ),
} as const satisfies ExecutorDefinition<typeof DockerExecutorConfigSchema>;

export default dockerExecutor;

export { DockerExecutorConfigSchema, resolveDockerHost, resolveHostName } from './config.js';
export type { DaemonAddress, DockerExecutorConfig } from './config.js';
export { createDockerExecutor } from './docker-executor.js';
export type { DockerExecutor, DockerExecutorOptions } from './docker-executor.js';
export { assertSafe } from './safety.js';
export { buildContainerSpec, containerName, LABELS } from './spec.js';
export type { SpecInput } from './spec.js';
