/**
 * A periodic task that never overlaps itself: runs `fn`, waits `intervalMs`, runs it again,
 * until stopped. `poke` runs it again as soon as the current run ends (an event asked for it).
 * Failures are logged and the next run happens as planned: a store or Redis outage must not
 * stop the watcher.
 */
import type { Logger } from '@god/coord';

/** A running periodic task. */
export interface Periodic {
  /** Runs the task again soon (once after the current run, however many pokes). */
  poke(): void;
  /** Stops; resolves once the run in progress (if any) has ended. */
  stop(): Promise<void>;
}

/** Starts running `fn` every `intervalMs` (first run at once). */
export function every(
  name: string,
  intervalMs: number,
  fn: () => Promise<void>,
  logger: Logger,
): Periodic {
  let stopped = false;
  let again = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;

  const sleep = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, intervalMs);
    }).finally(() => {
      if (timer !== null) clearTimeout(timer);
      wake = null;
    });

  const loop = async (): Promise<void> => {
    while (!stopped) {
      again = false;
      try {
        await fn();
      } catch (err) {
        logger.error({ err, task: name }, 'periodic task failed');
      }
      if (!stopped && !again) await sleep();
    }
  };
  const done = loop();

  return {
    poke() {
      again = true;
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
