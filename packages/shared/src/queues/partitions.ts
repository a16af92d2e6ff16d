import type { RedisClient } from '../redis/create-redis';
import { catalog, jobTypes, type JobType } from '../jobs/catalog';
import { MAX_PARTITIONS } from '../jobs/define-job';
import { highWaterKey } from '../redis/keys';

/** How many partitions each type has: the catalog's `partitions`, or QUEUE_PARTITIONS where it names the type. */
export type PartitionCounts = Record<JobType, number>;

export function partitionCounts(overrides: Record<string, number> = {}): PartitionCounts {
  return Object.fromEntries(jobTypes.map((type) => [type, overrides[type] ?? catalog[type].partitions])) as PartitionCounts;
}

/**
 * Partition `index`'s share of a limit split over `count` partitions: the
 * shares differ by at most one and add up to `total` exactly, so a global
 * limit (BullMQ's global concurrency, a worker rate limit) still holds for
 * the type as a whole. Never below 1: a partition left with 0 would never run.
 */
export function shareOf(total: number, index: number, count: number): number {
  return Math.max(1, Math.floor(total / count) + (index % count < total % count ? 1 : 0));
}

/**
 * Partition `index`'s share of a per-type limit when `taking` partitions take new jobs and `open` (the high-water mark)
 * are consumed: each partition above `taking` drains with 1, taken from the total first, and the rest is split over the
 * `taking` ones, so shares still add up to `total` (a shrink from 8 to 2 runs the 2 near full capacity). Only a total
 * below `open` adds up to more, since every partition needs at least 1.
 */
export function partitionShare(total: number, index: number, taking: number, open = taking): number {
  if (index >= taking) return 1;
  const draining = Math.max(0, open - taking);
  return shareOf(Math.max(total - draining, taking), index, taking);
}

/**
 * The partition a key (an Idempotency-Key, a caller's own jobId) belongs to,
 * from FNV-1a: stable across processes and restarts, so a repeat of the key
 * looks where the first request put its job.
 */
export function partitionOfKey(key: string, count: number): number {
  if (count <= 1) return 0;
  return fnv1a32(key) % count;
}

/** 32-bit FNV-1a of a string's UTF-16 code units, as an unsigned number. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Raises the most partitions each type has ever had, kept in Redis (`ZADD GT`, never lowered), and returns it: every
 * process opens and consumes up to this mark, so shrinking N drains the leftover partitions instead of stranding their jobs.
 */
export async function raisePartitionHighWater(redis: RedisClient, prefix: string, counts: PartitionCounts): Promise<PartitionCounts> {
  const key = highWaterKey(prefix);
  const pipeline = redis.pipeline();
  for (const type of jobTypes) pipeline.zadd(key, 'GT', counts[type], type);
  await pipeline.exec();
  return readPartitionHighWater(redis, prefix, counts);
}

/** The high-water mark per type (at least `counts`): see {@link raisePartitionHighWater}. */
export async function readPartitionHighWater(redis: RedisClient, prefix: string, counts: PartitionCounts): Promise<PartitionCounts> {
  const flat = await redis.zrange(highWaterKey(prefix), 0, -1, 'WITHSCORES');
  const stored = new Map<string, number>();
  for (let i = 0; i + 1 < flat.length; i += 2) stored.set(flat[i]!, Number(flat[i + 1]));
  return Object.fromEntries(
    jobTypes.map((type) => [type, Math.min(MAX_PARTITIONS, Math.max(counts[type], stored.get(type) ?? 0))]),
  ) as PartitionCounts;
}
