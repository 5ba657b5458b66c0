/**
 * Composition root of the web role: opens the store and Redis from the configuration, creates
 * the auth plugin (`auth.plugin`, settings under `plugins.<name>`), the token service, the live
 * event fan-out and the metrics, and serves the application. `god web` and `god up` call this.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseOrThrow, type AuthPlugin, type Config, type LocalAccount } from '@god/core';
import {
  createCounters,
  createEventPublisher,
  createKeys,
  createNodeRegistry,
  createQueues,
  createRedis,
  redisOptions,
  type Logger,
} from '@god/coord';
import { createStore, type Store } from '@god/store';
import { createApp } from './app.js';
import { createIdentity } from './auth/identity.js';
import { createLoginLimiter } from './auth/login-limit.js';
import { createSessions } from './auth/sessions.js';
import { createTokenService, tokenSecret } from './auth/tokens.js';
import { createMemberships } from './authz.js';
import type { WebContext } from './context.js';
import { createLiveEvents } from './live-events.js';
import { createLimitedServer } from './http/server.js';
import { createStreamRegistry, streamLimitsOf } from './http/streams.js';
import { createMetrics } from './metrics.js';
import { authPlugins } from './registry.js';

/** A running web process. */
export interface WebProcess {
  /** `http://host:port` it listens on (the port the OS chose when the config says 0). */
  url: string;
  server: Server;
  ctx: WebContext;
  /** Stops listening, ends live streams and closes every connection. */
  stop(): Promise<void>;
}

/** Creates the configured auth plugin; an unknown name or bad settings throw (startup). */
export function createAuthPlugin(config: Config, store: Store, logger: Logger): AuthPlugin {
  const def = authPlugins.get(config.auth.plugin);
  const settings = parseOrThrow(
    def.configSchema,
    config.plugins[def.name] ?? {},
    `plugins.${def.name}`,
    'INVALID_CONFIG',
  );
  return def.create(settings, {
    logger,
    now: Date.now,
    localAccounts: {
      async get(login): Promise<LocalAccount | null> {
        // Case ignored: `ALICE` is alice, and the record's own spelling is the login.
        const u = await store.findUser(login);
        if (u === null) return null;
        return {
          id: u.id,
          uid: u.uid,
          gid: u.gid,
          sgids: u.sgids,
          home: u.home === '' ? null : u.home,
          email: u.email,
          passwordHash: u.passwordHash,
        };
      },
    },
  });
}

/** Starts the web role on `config.web.host`/`port`. */
export async function startWebProcess(config: Config, logger: Logger): Promise<WebProcess> {
  const store = await createStore(config.store);
  const keys = createKeys(config.redis.prefix);
  const redis = createRedis(config.redis);
  const queues = createQueues({ connection: redisOptions(config.redis), keys, logger });
  const closeAll = async (): Promise<void> => {
    await queues.closeAll();
    redis.disconnect();
    await store.close();
  };
  try {
    const plugin = createAuthPlugin(config, store, logger);
    const tokens = createTokenService({
      secret: tokenSecret(config.auth),
      ttlSeconds: config.auth.token_ttl_s,
    });
    const limiter = createLoginLimiter({
      redis,
      keys,
      perLogin: config.auth.max_failures,
      perAddress: config.auth.max_failures_per_address,
      maxDelaySeconds: config.auth.max_delay_s,
      windowSeconds: config.auth.window_s,
    });
    const sessions = createSessions({ redis, keys, store, ttlSeconds: config.auth.token_ttl_s });
    const now = Date.now;
    const live = createLiveEvents({ redis, keys, store, logger });
    const streams = createStreamRegistry(streamLimitsOf(config.web));
    const ctx: WebContext = {
      config,
      store,
      redis,
      keys,
      queues,
      counters: createCounters({ redis, keys }),
      publisher: createEventPublisher({ redis, keys }),
      plugin,
      identity: createIdentity({ config, store, plugin, tokens, sessions, limiter, now }),
      tokens,
      sessions,
      limiter,
      live,
      streams,
      memberships: createMemberships(store, now),
      metrics: createMetrics({
        store,
        redis,
        keys,
        nodes: createNodeRegistry({ redis, keys }),
        hostTimeoutMs: config.scheduler.host_timeout_ms,
        liveClients: () => live.clients(),
      }),
      logger,
      now,
    };
    const server = createLimitedServer(createApp(ctx), config.web);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.web.port, config.web.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const host = config.web.host.includes(':') ? `[${config.web.host}]` : config.web.host;
    return {
      url: `http://${host}:${port}`,
      server,
      ctx,
      async stop() {
        streams.closeAll();
        await live.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await closeAll();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
