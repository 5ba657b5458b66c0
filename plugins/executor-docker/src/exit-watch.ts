/**
 * One `docker events` stream of god's containers' `die` events, reconnected with backoff when
 * it breaks. After each (re)connect it calls `onConnect` (a sweep of the containers), so an end
 * that happened while the stream was down is found anyway.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { PluginLogger } from '@god/core';

/** Delays before reconnecting: doubles from the first to the last, then stays. */
const BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000, 10_000];

/** What the watcher calls. */
export interface ExitWatchHandlers {
  /** A container with `labels` died (by id). */
  onDie(containerId: string): void;
  /** The stream is (re)connected: look for ends that were missed. */
  onConnect(): Promise<void>;
}

/** A running watch; `stop` ends the stream and any pending reconnect. */
export interface ExitWatch {
  stop(): void;
}

/** Watches `die` events of containers carrying every label of `labels` (`key` or `key=value`). */
export function watchExits(
  docker: Docker,
  labels: readonly string[],
  handlers: ExitWatchHandlers,
  log: PluginLogger,
): ExitWatch {
  let stopped = false;
  let stream: Readable | null = null;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;

  const reconnect = (): void => {
    stream = null;
    if (stopped || timer !== null) return;
    const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)] ?? 10_000;
    failures++;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
  };

  const connect = async (): Promise<void> => {
    try {
      const s = (await docker.getEvents({
        filters: { type: ['container'], event: ['die'], label: [...labels] },
      })) as unknown as Readable;
      if (stopped) {
        s.destroy();
        return;
      }
      stream = s;
      let buffer = '';
      s.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          const id = line === '' ? null : dieId(line);
          if (id !== null) handlers.onDie(id);
        }
      });
      s.once('error', (err) => log.warn({ err }, 'docker event stream failed'));
      s.once('close', () => {
        if (!stopped) log.info({}, 'docker event stream closed, reconnecting');
        reconnect();
      });
      failures = 0;
      log.debug({}, 'docker event stream connected');
      await handlers.onConnect();
    } catch (err) {
      log.warn({ err, failures }, 'docker event stream cannot connect');
      if (stream === null) reconnect();
    }
  };

  void connect();
  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      stream?.destroy();
      stream = null;
    },
  };
}

/** The container id of a `die` event line, or null for anything else. */
export function dieId(line: string): string | null {
  try {
    const event = JSON.parse(line) as {
      Type?: unknown;
      Action?: unknown;
      Actor?: { ID?: unknown };
    };
    if (event.Type !== 'container' || event.Action !== 'die') return null;
    return typeof event.Actor?.ID === 'string' ? event.Actor.ID : null;
  } catch {
    return null;
  }
}
