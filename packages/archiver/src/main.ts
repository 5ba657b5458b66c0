/**
 * Composition root of the archiver role: opens the store and the queues from the configuration
 * and starts the archiver. `god archiver` and `god up` call this.
 */
import type { Config } from '@god/core';
import { createKeys, createQueues, redisOptions, type Logger } from '@god/coord';
import { createStore } from '@god/store';
import { createArchiver, type Archiver } from './archiver.js';

/** A running archiver process and how to stop it. */
export interface ArchiverProcess {
  archiver: Archiver;
  /** Stops the archiver and closes every connection. */
  stop(): Promise<void>;
}

/** Starts the archiver role. */
export async function startArchiverProcess(
  config: Config,
  logger: Logger,
): Promise<ArchiverProcess> {
  const store = await createStore(config.store);
  const keys = createKeys(config.redis.prefix);
  const queues = createQueues({ connection: redisOptions(config.redis), keys, logger });
  const archiver = createArchiver({ config, store, queues, logger });
  const close = async () => {
    await archiver.stop();
    await queues.closeAll();
    await store.close();
  };
  try {
    await archiver.start();
  } catch (err) {
    await close();
    throw err;
  }
  return { archiver, stop: close };
}
