/** Polling with a deadline: how tests wait for something to happen, never a fixed sleep. */

/** What `waitFor` resolves to: the check's value once it is truthy. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** How long `waitFor` polls and how often. */
export interface WaitOptions {
  /** Give up (throw) after this many ms (default 10 s: generous, only a failing test waits it). */
  timeoutMs?: number;
  /** Pause between checks (default 10 ms). */
  everyMs?: number;
}

/**
 * Polls `check` until it returns a truthy value (returned) or the deadline passes (throws an
 * error naming `what`). The check runs once more at the deadline, so a slow machine that gets
 * there late still sees the last state.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, everyMs = 10 } = options;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
