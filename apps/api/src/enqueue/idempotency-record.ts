import { createHash } from 'node:crypto';
import { luaScript, readLuaFiles, type RedisClient } from '@floodgate/shared/redis';

// The record's scripts (claim, mark added, release), read once per process from the .lua files beside this one.
const CLAIM = readLuaFiles(__dirname, 'claim-idempotency-key.lua');
const MARK_ADDED = readLuaFiles(__dirname, 'mark-idempotent-added.lua');
const RELEASE = readLuaFiles(__dirname, 'release-idempotency-key.lua');

/** What an `Idempotency-Key` already stands for. */
export interface IdempotencyRecord {
  /** The job id the first request was given. */
  id: string;
  /** Digest of the first request's type and payload. */
  digest: string;
  /** Whether Redis was known to hold the job (its add answered). */
  added: boolean;
}

/**
 * One small Redis hash per (caller, key), kept `ttlSeconds` whatever the job's
 * retention: `{id, digest, added}`. The key names the caller's identity and the
 * key hashed, so two API keys sending one string make two jobs.
 */
export interface IdempotencyRecords {
  /** Claims the key for `id` (undefined back), or returns the record already there. */
  claim(owner: string, key: string, id: string, digest: string): Promise<IdempotencyRecord | undefined>;
  markAdded(owner: string, key: string, id: string): Promise<void>;
  release(owner: string, key: string, id: string): Promise<void>;
}

export function createIdempotencyRecords(redis: RedisClient, prefix: string, ttlSeconds: number): IdempotencyRecords {
  const claim = luaScript<[string, string, string | null] | null>(redis, 'floodgateClaimIdempotencyKey', CLAIM, 1);
  const markAdded = luaScript<number>(redis, 'floodgateMarkIdempotentAdded', MARK_ADDED, 1);
  const release = luaScript<number>(redis, 'floodgateReleaseIdempotencyKey', RELEASE, 1);
  const keyOf = (owner: string, key: string) => idempotencyRecordKey(prefix, owner, key);
  return {
    async claim(owner, key, id, digest) {
      const found = await claim(keyOf(owner, key), id, digest, ttlSeconds);
      if (!found) return undefined;
      return { id: String(found[0]), digest: String(found[1]), added: found[2] === '1' };
    },
    async markAdded(owner, key, id) {
      await markAdded(keyOf(owner, key), id);
    },
    async release(owner, key, id) {
      await release(keyOf(owner, key), id);
    },
  };
}

/**
 * Where the record of one (caller, key) lives: one key per record, and each
 * script touches only that key, so records spread over a Cluster's slots;
 * hashed so its length is fixed whatever the key, and a key's text is not kept.
 */
export function idempotencyRecordKey(prefix: string, owner: string, key: string): string {
  return `${prefix}:idempotency:${createHash('sha256').update(`${owner}\n${key}`).digest('base64url')}`;
}

/** A digest of what a request asks for: its type and payload as canonical JSON (key order does not matter). */
export function requestDigest(type: string, payload: unknown): string {
  return createHash('sha256').update(`${type}\n${canonicalJson(payload)}`).digest('base64url');
}

/** JSON with object keys sorted, so two spellings of one payload are one string. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
