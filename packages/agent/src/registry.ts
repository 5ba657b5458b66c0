/** The built-in executors an agent can drive, in one static registry. */
import { createRegistry, type ExecutorDefinition } from '@god/core';
import docker from '@god/executor-docker';
import fake from '@god/executor-fake';

/** Executors by name (`docker`, `fake`). */
export const executors = createRegistry<ExecutorDefinition>('executor', [docker, fake]);
