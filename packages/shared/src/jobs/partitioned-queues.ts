import type { CommonEnv } from '../env/common-env';
import type { Logger } from '../logger';
import type { RedisClient } from '../redis/create-redis';
import { growQueues, openQueues, type JobQueues, type OpenQueuesOptions } from './open-queues';
import { followPartitionHighWater } from './partition-watch';
import { partitionCounts, raisePartitionHighWater, readPartitionHighWater } from './partitions';

/**
 * A process's queues, every partition up to the high-water mark open, kept
 * growing as the mark rises (another process given a larger QUEUE_PARTITIONS).
 * The API raises the mark to its own count first; a reader (the dashboard) only reads it.
 */
export async function openPartitionedQueues(options: {
  redis: RedisClient;
  /** QUEUE_PREFIX, QUEUE_PARTITIONS and QUEUE_PARTITIONS_CHECK_MS of the process. */
  env: Pick<CommonEnv, 'QUEUE_PREFIX' | 'QUEUE_PARTITIONS' | 'QUEUE_PARTITIONS_CHECK_MS'>;
  logger: Logger;
  /** Raise the mark to this process's counts (a producer), or only read it. */
  raiseMark: boolean;
  queueOptions?: Omit<OpenQueuesOptions, 'partitions' | 'open'>;
  /** Called once new partitions are open. */
  onGrow?: () => void;
}): Promise<{ queues: JobQueues; stopFollowing(): void }> {
  const { QUEUE_PREFIX: prefix, QUEUE_PARTITIONS, QUEUE_PARTITIONS_CHECK_MS } = options.env;
  const partitions = partitionCounts(QUEUE_PARTITIONS);
  const open = await (options.raiseMark ? raisePartitionHighWater : readPartitionHighWater)(options.redis, prefix, partitions);
  const queues = openQueues(options.redis, prefix, { ...options.queueOptions, partitions, open });
  const stopFollowing = followPartitionHighWater({
    redis: options.redis,
    prefix,
    open,
    everyMs: QUEUE_PARTITIONS_CHECK_MS,
    logger: options.logger,
    onRaise: async (mark) => {
      await growQueues(queues, mark);
      options.onGrow?.();
    },
  });
  return { queues, stopFollowing };
}
