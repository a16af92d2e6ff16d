import type { Logger } from '../logger';
import type { RedisClient } from '../redis/create-redis';
import { jobTypes } from '../jobs/catalog';
import { readPartitionHighWater, type PartitionCounts } from './partitions';

/**
 * Reads the partitions' high-water mark every `everyMs` and calls `onRaise` when it is above what this process has open
 * (an API with a larger QUEUE_PARTITIONS feeds partitions others would otherwise ignore until a restart). The new mark
 * counts as open only once `onRaise` succeeds; failures are retried next time. Returns a stop function.
 * @param open the mark this process opened at start
 */
export function followPartitionHighWater(options: {
  redis: RedisClient;
  prefix: string;
  open: PartitionCounts;
  everyMs: number;
  logger: Logger;
  onRaise(open: PartitionCounts): Promise<void> | void;
}): () => void {
  let open = options.open;
  let running = false;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      const mark = await readPartitionHighWater(options.redis, options.prefix, open);
      const raised = jobTypes.filter((type) => mark[type] > open[type]);
      if (raised.length > 0) {
        options.logger.info({ partitions: Object.fromEntries(raised.map((type) => [type, mark[type]])) }, 'partition high-water mark rose: opening the new partitions');
        await options.onRaise(mark);
        open = mark;
      }
    } catch (err) {
      options.logger.warn({ err }, 'could not follow the partition high-water mark; trying again later');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), options.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
