/** The built-in executors an agent can drive, in one static registry. */
import { createRegistry, type ExecutorDefinition } from '@god/core';
import fake from '@god/executor-fake';

/** Executors by name (`fake`; `docker` joins with the Docker agent). */
export const executors = createRegistry<ExecutorDefinition>('executor', [fake]);
