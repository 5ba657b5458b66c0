/** What the web's handlers share: built once by the process's composition root (main.ts). */
import type { AuthPlugin, Config } from '@god/core';
import type { Counters, EventPublisher, Keys, Logger, Queues, Redis } from '@god/coord';
import type { Store } from '@god/store';
import type { Identity } from './auth/identity.js';
import type { Memberships } from './authz.js';
import type { LoginLimiter } from './auth/login-limit.js';
import type { Sessions } from './auth/sessions.js';
import type { TokenService } from './auth/tokens.js';
import type { LiveEvents } from './live-events.js';
import type { Metrics } from './metrics.js';
import type { StreamRegistry } from './http/streams.js';

/** Dependencies of every route. */
export interface WebContext {
  config: Config;
  store: Store;
  redis: Redis;
  keys: Keys;
  queues: Queues;
  counters: Counters;
  publisher: EventPublisher;
  plugin: AuthPlugin;
  identity: Identity;
  tokens: TokenService;
  sessions: Sessions;
  limiter: LoginLimiter;
  live: LiveEvents;
  /** Slots of long-lived streams (events, followed logs), capped per user and process. */
  streams: StreamRegistry;
  memberships: Memberships;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
}
