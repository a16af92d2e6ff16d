import { catalog, jobTypes, type JobType } from '@floodgate/shared/jobs';
import { queueIdentity } from '@floodgate/shared/queues';
import type { Logger } from '@floodgate/shared/logger';
import { bullQueueKeys, keySlot, type RedisClient } from '@floodgate/shared/redis';
import type { JobQueues } from '../redis/queues';
import { createAdmission, type Admission } from './admission';
import { createBacklogGauge } from './backlog-gauge';
import { createClientRateLimiter } from './client-rate-limiter';
import { startEventLoopGuard } from './event-loop-guard';
import { startRedisMemoryGuard } from './redis-memory-guard';

/** The limits admission enforces; every one has a default in the catalog or the env. */
export interface AdmissionLimits {
  /** Per-type overrides of the catalog's `rateLimitPerSecond`. */
  rateLimitPerSecond: Record<string, number>;
  /** Per-type overrides of the catalog's `backlogCap`. */
  backlogCap: Record<string, number>;
  redisMemoryHigh: number;
  redisMemoryLow: number;
  maxEventLoopDelayMs: number;
  /** How long a backlog count is reused. @defaultValue 250 */
  backlogCacheMs?: number;
}

/** Starts the guards' timers and returns the admission check, and a stop for shutdown. */
export function startAdmission(deps: { redis: RedisClient; queues: JobQueues; prefix: string; logger: Logger; limits: AdmissionLimits }): {
  admission: Admission;
  stop(): void;
} {
  const perType = (pick: (type: JobType) => number, overrides: Record<string, number>) =>
    Object.fromEntries(jobTypes.map((type) => [type, overrides[type] ?? pick(type)])) as Record<JobType, number>;
  const redisMemory = startRedisMemoryGuard({
    redis: deps.redis,
    high: deps.limits.redisMemoryHigh,
    low: deps.limits.redisMemoryLow,
    // Often: a coalesced API process adds over a thousand jobs in 100 ms, and the guard must see Redis fill before the
    // headroom above the high mark is gone. One INFO per 100 ms costs Redis next to nothing.
    intervalMs: 100,
    logger: deps.logger,
  });
  const slots = new Map<string, number>();
  const eventLoop = startEventLoopGuard({ maxDelayMs: deps.limits.maxEventLoopDelayMs, intervalMs: 500 });
  const admission = createAdmission({
    eventLoop,
    redisMemory,
    queueSlot: (type, partition) => {
      const key = `${type}/${partition}`;
      let slot = slots.get(key);
      if (slot === undefined) {
        // BullMQ's own wait key: the open queue's, or BullMQ's name for a partition not open here.
        const wait = deps.queues[type].partitions[partition]?.keys.wait ?? bullQueueKeys(queueIdentity(type, deps.prefix, partition)).wait!;
        slots.set(key, (slot = keySlot(wait)));
      }
      return slot;
    },
    rateLimiter: createClientRateLimiter(deps.redis, deps.prefix, perType((t) => catalog[t].rateLimitPerSecond, deps.limits.rateLimitPerSecond)),
    backlog: createBacklogGauge(deps.queues, deps.redis, deps.limits.backlogCacheMs ?? 250),
    backlogCaps: perType((t) => catalog[t].backlogCap, deps.limits.backlogCap),
  });
  return {
    admission,
    stop() {
      redisMemory.stop();
      eventLoop.stop();
    },
  };
}
