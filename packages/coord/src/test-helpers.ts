/**
 * Test support for coord's integration tests (not exported by the package): connections to the
 * real Redis started by the test setup, a fresh key prefix per test, and a TCP proxy that can black-hole a client's traffic to simulate a network partition.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import type { Redis, RedisOptions } from 'ioredis';
import { services, uniqueName } from '@god/testkit';
import { createKeys, type Keys } from './keys.js';
import { createRedisFromUrl } from './redis.js';

/** Keys under a random prefix, so tests never see each other's data. */
export function makeTestKeys(): Keys {
  return createKeys(uniqueName());
}

/** Opens clients to the test Redis (directly or via a URL) and closes them all at the end. */
export class Clients {
  private readonly open: Redis[] = [];

  connect(overrides: RedisOptions = {}, url: string = services.redisUrl()): Redis {
    const redis = createRedisFromUrl(url, overrides);
    // Tests break connections on purpose; unhandled 'error' events would only add noise.
    redis.on('error', () => undefined);
    this.open.push(redis);
    return redis;
  }

  /**
   * Disconnects every client at once. Commands still in flight are rejected ("Connection is
   * closed."), so a test must first let settle any read it started and does not await.
   */
  closeAll(): void {
    for (const r of this.open.splice(0)) r.disconnect();
  }
}

/** A TCP proxy in front of Redis whose traffic can be dropped, as in a network partition. */
export interface PartitionProxy {
  /** `redis://` URL of the proxy. */
  url: string;
  /** Drops all traffic, both ways, on every connection: requests hang, nothing errors. */
  partition(): void;
  /** Ends the partition: cuts the (now desynchronised) connections so clients reconnect. */
  heal(): void;
  close(): Promise<void>;
}

/** Starts a partition proxy in front of the Redis at `target` (`redis://host:port`). */
export async function startPartitionProxy(
  target: string = services.redisUrl(),
): Promise<PartitionProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let dropping = false;
  const server = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (!dropping) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    partition: () => {
      dropping = true;
    },
    heal: () => {
      for (const s of sockets) s.destroy();
      dropping = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
