/**
 * API keys: `god_<id>_<secret>`, with 8 random bytes of public id and 32 random bytes of secret
 * (256 bits: nobody guesses one, so a fast SHA-256 of the whole key is a sound stored form).
 * The key is shown once, at creation; the store keeps its id, owner, name and hash only.
 * Revoking deletes the record, so a revoked key fails at once on every web process, and with
 * it the keys its owner made with it (a thief's spare keys die with the stolen one).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, Store } from '@god/store';

/** What every god API key starts with (so a leaked one is easy to spot and to tell from a token). */
export const KEY_PREFIX = 'god_';
const KEY_RE = /^god_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A new key: the record to store, and the key to show its owner once. */
export interface NewApiKey {
  record: ApiKeyRecord;
  key: string;
}

/** Makes a new key for `user` (not stored yet). */
export function makeApiKey(
  user: string,
  name: string,
  now: number,
  ttlSeconds?: number,
): NewApiKey {
  const id = randomBytes(8).toString('hex');
  const key = `${KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return {
    key,
    record: {
      id,
      user,
      name,
      hash: hashKey(key),
      createdAt: now,
      expiresAt: ttlSeconds === undefined ? null : now + ttlSeconds * 1000,
    },
  };
}

/** True when `value` looks like an API key (rather than a token). */
export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(KEY_PREFIX);
}

/** The record of a presented key, or null (malformed, unknown, revoked, expired). */
export async function checkApiKey(
  store: Store,
  key: string,
  now: number,
): Promise<ApiKeyRecord | null> {
  const m = KEY_RE.exec(key);
  if (m === null) return null;
  const record = await store.getApiKey(m[1]!);
  if (record === null) return null;
  const presented = Buffer.from(hashKey(key), 'hex');
  const stored = Buffer.from(record.hash, 'hex');
  if (presented.length !== stored.length || !timingSafeEqual(presented, stored)) return null;
  if (record.expiresAt !== null && record.expiresAt <= now) return null;
  return record;
}

/**
 * Deletes `key` and, transitively, the keys of the same owner made with it; the ids of those
 * (the key's own id left out). The key goes first: once it is gone, none of its tokens can
 * make another child.
 */
export async function revokeKey(store: Store, key: ApiKeyRecord): Promise<string[]> {
  await store.deleteApiKey(key.id);
  const owned = await store.listApiKeys(key.user);
  const gone = new Set([key.id]);
  const derived: string[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const k of owned) {
      if (gone.has(k.id) || k.parent == null || !gone.has(k.parent)) continue;
      gone.add(k.id);
      derived.push(k.id);
      grew = true;
    }
  }
  for (const id of derived) await store.deleteApiKey(id);
  return derived;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
