import type { CommonEnv } from '../env/common-env';
import type { Logger } from '../logger';
import type { RedisClient } from '../redis/create-redis';
import { growQueues, openQueues, type JobQueues, type OpenQueuesOptions } from './open-queues';
import { followPartitionHighWater } from './partition-watch';
import { partitionCounts, raisePartitionHighWater, readPartitionHighWater, type PartitionCounts } from './partitions';

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
  const opened = () => Object.values(queues).reduce((sum, queue) => sum + queue.partitions.length, 0);
  const grow = async (mark: PartitionCounts) => {
    const before = opened();
    await growQueues(queues, mark);
    if (opened() > before) options.onGrow?.();
  };
  // A job id naming a partition not open yet: the mark is read at once, not at the next check.
  const catchUp = async () => grow(await readPartitionHighWater(options.redis, prefix, partitions));
  const queues: JobQueues = openQueues(options.redis, prefix, { ...options.queueOptions, partitions, open, catchUp });
  // A producer given a larger count than the type had when it was paused must not run it in the partitions it adds.
  if (options.raiseMark) await Promise.all(Object.values(queues).map((queue) => queue.alignPaused()));
  const stopFollowing = followPartitionHighWater({
    redis: options.redis,
    prefix,
    open,
    everyMs: QUEUE_PARTITIONS_CHECK_MS,
    logger: options.logger,
    onRaise: grow,
  });
  return { queues, stopFollowing };
}
