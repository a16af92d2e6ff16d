import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import { idempotencyRecordKey, type RedisClient } from '@floodgate/shared/redis';

/**
 * What an idempotent request (an `Idempotency-Key`, a caller's `jobId`) first asked for. It lives beside its job (same
 * hash tag), is written in the same step as the add (fair-add.lua), and outlives the job for IDEMPOTENCY_TTL.
 */
export interface IdempotencyRecord {
  /** Digest of the first request's type, payload and options. */
  digest: string;
  /** Whose request it was: the API key's id (`anonymous` with auth disabled). */
  owner: string;
}

/**
 * The job id an `Idempotency-Key` stands for: `p<partition>-` and 22
 * characters of the SHA-256 of the caller and the key, so every repeat names
 * the same job without asking Redis, even when a record was lost; two API
 * keys sending one string name two jobs.
 */
export function idempotentJobId(owner: string, key: string, partition: number): string {
  return `p${partition}-${createHash('sha256').update(`${owner}\n${key}`).digest('base64url').slice(0, 22)}`;
}

/** The record of job `id` in `queue`, or undefined when there is none. */
export async function readIdempotencyRecord(redis: RedisClient, queue: Queue, id: string): Promise<IdempotencyRecord | undefined> {
  const [digest, owner] = await redis.hmget(idempotencyRecordKey(queue, id), 'digest', 'owner');
  return digest === null || digest === undefined ? undefined : { digest, owner: owner ?? '' };
}

/** A digest of what a request asks for: its type, payload and options as canonical JSON (key order does not matter). */
export function requestDigest(type: string, payload: unknown, options: unknown): string {
  return createHash('sha256').update(`${type}\n${canonicalJson(payload)}\n${canonicalJson(options ?? {})}`).digest('base64url');
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
