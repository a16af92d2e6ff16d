import type { JobQueues, JobType } from '@floodgate/shared/jobs';
import type { RedisClient } from '@floodgate/shared/redis';
import { withRedis } from '../redis-deadline';

/**
 * How many jobs of a type wait (waiting + delayed + prioritized, over every partition), read from
 * Redis at most once per `maxAgeMs` per type and process, however many
 * requests ask. Under a flood that is one read per 250 ms instead of one per
 * request; the cost is that a cap may be overshot by what arrives in 250 ms.
 */
export interface BacklogGauge {
  backlog(type: JobType): Promise<number>;
}

/**
 * @param redis the queues' connection: the read runs under the request deadline
 * (a stalled connection is a 503 `redis_timeout`, not a request that hangs).
 * @param maxAgeMs how long one reading is reused. @defaultValue 250
 */
export function createBacklogGauge(queues: JobQueues, redis: RedisClient, maxAgeMs = 250): BacklogGauge {
  const cache = new Map<JobType, { at: number; value: Promise<number> }>();
  return {
    backlog(type) {
      const cached = cache.get(type);
      if (cached && Date.now() - cached.at < maxAgeMs) return cached.value;
      const value = withRedis(redis, () => queues[type].getJobCounts('waiting', 'delayed', 'prioritized')).then((counts) =>
        Object.values(counts).reduce((sum, n) => sum + n, 0),
      );
      // A failed read must not be cached: the next request tries again.
      value.catch(() => cache.delete(type));
      cache.set(type, { at: Date.now(), value });
      return value;
    },
  };
}
