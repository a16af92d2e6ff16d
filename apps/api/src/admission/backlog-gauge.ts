import type { JobType } from '@floodgate/shared/jobs';
import type { JobQueues } from '@floodgate/shared/queues';
import type { RedisClient } from '@floodgate/shared/redis';
import { withRedis } from '../redis/redis-deadline';

/**
 * How many jobs of a type wait (waiting + delayed + prioritized, over every partition), read from
 * Redis at most once per `maxAgeMs` per type and process, however many
 * requests ask. Under a flood that is one read per 250 ms instead of one per
 * request; the cost is that a cap may be overshot by what arrives in 250 ms.
 * A partition that cannot be read counts as its last reading.
 */
export interface BacklogGauge {
  backlog(type: JobType): Promise<number>;
}

/**
 * @param redis the queues' connection: the read runs under the request deadline
 * (a stalled connection is a 503 `redis_timeout`, not a request that hangs).
 * @param maxAgeMs how long one reading is reused. @defaultValue 250
 */
/** How long one partition's count is waited for, once it has a reading, when the type has several. */
const SLOW_PARTITION_MS = 100;

export function createBacklogGauge(queues: JobQueues, redis: RedisClient, maxAgeMs = 250): BacklogGauge {
  const cache = new Map<JobType, { at: number; value: Promise<number> }>();
  // Each partition's last reading: a partition whose primary is down or failing over keeps
  // its last count, so the type's other partitions go on taking jobs meanwhile.
  const lastKnown = new Map<string, number>();
  const readPartition = (queue: JobQueues[JobType]['first'], several: boolean): Promise<number> => {
    const fresh = withRedis(redis, () => queue.getJobCounts('waiting', 'delayed', 'prioritized')).then(
      (counts) => {
        const count = Object.values(counts).reduce((n, c) => n + c, 0);
        lastKnown.set(queue.name, count);
        return count;
      },
      (err: unknown) => {
        // Never read (down since this process started): 0 stands in from now on, so the next
        // reads race the bound instead of each waiting out the deadline.
        if (!lastKnown.has(queue.name)) lastKnown.set(queue.name, 0);
        throw err;
      },
    );
    const known = lastKnown.get(queue.name);
    if (!several || known === undefined) return fresh;
    // Of several partitions, one whose primary is slow or down must not hold every request of
    // the type for the whole Redis deadline: past a short bound its last reading stands in.
    let timer: NodeJS.Timeout | undefined;
    const stale = new Promise<number>((resolve) => (timer = setTimeout(resolve, SLOW_PARTITION_MS, known)));
    return Promise.race([fresh, stale]).finally(() => clearTimeout(timer));
  };
  const read = async (type: JobType) => {
    const partitions = queues[type].partitions;
    const readings = await Promise.allSettled(partitions.map((queue) => readPartition(queue, partitions.length > 1)));
    // Nothing answered: this is an outage, not one primary's.
    if (readings.every((r) => r.status === 'rejected')) throw (readings[0] as PromiseRejectedResult).reason;
    // A failed partition always has a last reading by now (0 when it never answered).
    return readings.reduce((sum, reading, i) => sum + (reading.status === 'fulfilled' ? reading.value : lastKnown.get(partitions[i]!.name)!), 0);
  };
  return {
    backlog(type) {
      const cached = cache.get(type);
      if (cached && Date.now() - cached.at < maxAgeMs) return cached.value;
      const value = read(type);
      // A failed read must not be cached: the next request tries again.
      value.catch(() => cache.delete(type));
      cache.set(type, { at: Date.now(), value });
      return value;
    },
  };
}
