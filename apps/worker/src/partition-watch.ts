import { readPartitionHighWater, type PartitionCounts } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import type { RedisClient } from '@floodgate/shared/redis';

/**
 * Reads the partitions' high-water mark every `everyMs` and calls `onRaise`
 * when it is above what this process consumes: an API given a larger
 * QUEUE_PARTITIONS puts jobs in partitions that workers started before it do
 * not know of, and without this they would wait for a restart. A failed read
 * is logged and tried again next time. Returns a stop function.
 */
export function followPartitionHighWater(options: {
  redis: RedisClient;
  prefix: string;
  /** This process's own QUEUE_PARTITIONS (the floor of the mark). */
  counts: PartitionCounts;
  everyMs: number;
  logger: Logger;
  onRaise(partitions: PartitionCounts): Promise<void> | void;
}): () => void {
  let consumed = options.counts;
  let running = false;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      const mark = await readPartitionHighWater(options.redis, options.prefix, consumed);
      const raised = (Object.keys(mark) as Array<keyof PartitionCounts>).filter((type) => mark[type] > consumed[type]);
      if (raised.length > 0) {
        options.logger.info({ partitions: Object.fromEntries(raised.map((type) => [type, mark[type]])) }, 'partition high-water mark rose: consuming the new partitions');
        consumed = mark;
        await options.onRaise(mark);
      }
    } catch (err) {
      options.logger.warn({ err }, 'could not read the partition high-water mark; trying again later');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), options.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
