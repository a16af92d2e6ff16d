import type { RedisClient } from '@floodgate/shared/redis';
import { openQueues, type JobQueues, type PartitionCounts } from '@floodgate/shared/queues';

export { closeQueues } from '@floodgate/shared/queues';

/** The queues of each catalog job type (every partition of it). */
export type DashboardQueues = JobQueues;

/**
 * Every catalog queue, for Bull Board to read and act on. They share
 * `connection` (a `producer` one from createRedis): Bull Board only runs
 * plain commands, never blocking ones, so failing fast while Redis is away
 * turns into an error on the page instead of a request that hangs. The API
 * owns the queues' settings; opening them here leaves those alone.
 */
export function createQueues(connection: RedisClient, prefix: string, partitions?: { partitions: PartitionCounts; open: PartitionCounts }): DashboardQueues {
  return openQueues(connection, prefix, partitions ?? {});
}
