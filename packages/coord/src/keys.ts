/**
 * Every Redis key god uses is built here, and nowhere else, so the keyspace is documented in one
 * place and a prefix change (GO-Docker's `god:` by default) moves all of it at once.
 *
 * Layout under prefix `god`:
 *   god:leader:<name>          leader lease, value `<token>:<holderId>`, with a TTL
 *   god:leader:<name>:epoch    fencing epoch of that lease, only ever incremented
 *   god:events                 event stream (XADD / XREAD) that wakes consumers
 *   god:counters               hash of rate-limit counters (one field per counter name)
 *   god:nodes                  sorted set of agent hosts, scored by last heartbeat (ms)
 *   god:node:<host>            hash describing one agent host (`info`: HostInfo JSON, `registeredAt`)
 *   god:shard:<host>:<shard>   hash describing one executor shard of a host
 *   god:scheduler:settings     hash of scheduler settings operators change (`maintenance`)
 *   god:scheduler:stats        hash of scheduler counters (`decisions`), for metrics
 *   god:auth:failures:<k>:<h>  failed logins of one (login, address) pair or address (hashed), TTL
 *   god:auth:revoked:<h>       a revoked token session (hashed id), TTL = the token lifetime
 *   god:auth:ended:<h>         when all password sessions of a user (hashed) ended, same TTL
 *   god:usage:live:<job id>    list of a running job's last usage samples (JSON), TTL
 *   god:bull:<queue>:...       BullMQ's own keys (BullMQ appends everything after the prefix)
 */
import { ValidationError } from '@god/core';

/** What a prefix may contain: the same rule as the `redis.prefix` config key. */
const PREFIX_RE = /^[A-Za-z0-9_.-]{1,64}$/;
/** What one key segment (a lease name, a host, a user) may contain: no separators, no globs. */
const SEGMENT_RE = /^[A-Za-z0-9_.@+-]{1,200}$/;

/** Typed builders for every Redis key god uses, all under one prefix. */
export interface Keys {
  /** The prefix, without the `:` separator (`god`). */
  readonly prefix: string;
  /** The prefix given to BullMQ; it appends `:<queue>:...` itself. */
  readonly bullPrefix: string;
  /** Leader lease of the role `name` (e.g. `scheduler`). */
  lease(name: string): string;
  /** Fencing epoch of the lease `name`. */
  leaseEpoch(name: string): string;
  /** The event stream. */
  events(): string;
  /** The hash holding all rate-limit counters. */
  counters(): string;
  /** Scheduler settings operators change at run time (`maintenance`): a hash. */
  schedulerSettings(): string;
  /** Scheduler counters for metrics (`decisions`): a hash. */
  schedulerStats(): string;
  /** Failed-login state of one (login, address) pair or client address, by its hex digest. */
  loginFailures(kind: 'pair' | 'addr', digest: string): string;
  /** Marks a revoked token session (`sid`), by its hex digest. */
  revokedSession(digest: string): string;
  /** When every password session of one user (by hex digest) was ended. */
  sessionsEnded(digest: string): string;
  /** Sorted set of agent hosts by last heartbeat. */
  nodes(): string;
  /** Description of one agent host. */
  node(host: string): string;
  /** Description of one executor shard (a NUMA node) of a host. */
  shard(host: string, shard: number): string;
  /** The last usage samples of a running job (a capped list). */
  liveUsage(jobId: number): string;
}

/** Builds the key builders for `prefix` (default `god`); throws a `ValidationError` if it is bad. */
export function createKeys(prefix = 'god'): Keys {
  if (!PREFIX_RE.test(prefix)) {
    throw new ValidationError(
      'invalid Redis key prefix',
      [
        {
          path: 'redis.prefix',
          message: `must match ${String(PREFIX_RE)} (no ':'), got '${prefix}'`,
        },
      ],
      'INVALID_CONFIG',
    );
  }
  const key = (...parts: string[]): string => [prefix, ...parts].join(':');
  return Object.freeze({
    prefix,
    bullPrefix: key('bull'),
    lease: (name: string) => key('leader', segment('lease name', name)),
    leaseEpoch: (name: string) => key('leader', segment('lease name', name), 'epoch'),
    events: () => key('events'),
    counters: () => key('counters'),
    schedulerSettings: () => key('scheduler', 'settings'),
    schedulerStats: () => key('scheduler', 'stats'),
    loginFailures: (kind: 'pair' | 'addr', digest: string) =>
      key('auth', 'failures', kind, hexDigest(digest)),
    revokedSession: (digest: string) => key('auth', 'revoked', hexDigest(digest)),
    sessionsEnded: (digest: string) => key('auth', 'ended', hexDigest(digest)),
    nodes: () => key('nodes'),
    node: (host: string) => key('node', segment('host', host)),
    shard: (host: string, shard: number) =>
      key('shard', segment('host', host), String(shardIndex(shard))),
    liveUsage: (jobId: number) => key('usage', 'live', String(shardIndex(jobId, 'jobId'))),
  });
}

/** Names of the counters in the counters hash (fields, not keys, but built here all the same). */
export const counterNames = Object.freeze({
  /** Pending jobs of all users. */
  pending: (): string => 'pending',
  /** Pending jobs of one user. */
  pendingOfUser: (user: string): string => `pending:user:${segment('user', user)}`,
});

/** Names of god's BullMQ queues. BullMQ forbids ':' in queue names, hence the dots. */
export const queueNames = Object.freeze({
  /** Kill / suspend / resume / reschedule requests (web -> watcher). */
  control: 'control',
  /** Archive requests (web -> archiver). */
  archive: 'archive',
  /** Notifications to users (mail, webhooks). */
  notify: 'notify',
  /**
   * Jobs handed to one executor shard (scheduler -> agent): `shard.<host>.<shard>`. The shard is
   * its id (`numa0`, as in a placement) or an index; ids have no dots, so names stay unambiguous.
   */
  shard: (host: string, shard: string | number): string =>
    `shard.${segment('host', host)}.${shardName(shard)}`,
  /** Kill / suspend / resume of jobs placed on one host, for that host's agent: `control.<host>`. */
  hostControl: (host: string): string => `control.${segment('host', host)}`,
});

/** Returns `value` if it is a valid key segment, else throws naming `what`. */
function segment(what: string, value: string): string {
  if (!SEGMENT_RE.test(value)) {
    throw new ValidationError(`invalid ${what} for a Redis key`, [
      { path: what, message: `must match ${String(SEGMENT_RE)}, got '${value}'` },
    ]);
  }
  return value;
}

/** Returns `value` if it is a lowercase hex digest (what failure keys are named by). */
function hexDigest(value: string): string {
  if (!/^[0-9a-f]{16,128}$/.test(value)) {
    throw new ValidationError('invalid digest for a Redis key', [
      { path: 'digest', message: `must be 16 to 128 lowercase hex digits, got '${value}'` },
    ]);
  }
  return value;
}

/** What a shard id may contain in a queue name: like a segment, but no dots (see queueNames). */
const SHARD_ID_RE = /^[A-Za-z0-9_@+-]{1,64}$/;

function shardName(shard: string | number): string {
  if (typeof shard === 'number') return String(shardIndex(shard));
  if (!SHARD_ID_RE.test(shard)) {
    throw new ValidationError('invalid shard for a queue name', [
      { path: 'shard', message: `must match ${String(SHARD_ID_RE)}, got '${shard}'` },
    ]);
  }
  return shard;
}

function shardIndex(shard: number, what = 'shard'): number {
  if (!Number.isSafeInteger(shard) || shard < 0) {
    throw new ValidationError(`invalid ${what} for a Redis key`, [
      { path: what, message: `must be a non-negative integer, got ${shard}` },
    ]);
  }
  return shard;
}
