import { catalog, closeQueues, jobTypes, openQueues, shareOf, type PartitionCounts } from '@floodgate/shared/jobs';
import type { RedisClient } from '@floodgate/shared/redis';

/**
 * Applies each type's `globalConcurrency` from the catalog to its queues (a
 * limit across every worker process, kept by BullMQ in Redis per queue), and
 * removes a limit the catalog no longer sets. A partitioned type's limit is
 * split over its partitions in shares that add up to it, so the type as a
 * whole never runs more. Every worker process does it at start: the last
 * writer wins, and all of them write the same values.
 *
 * @param partitions partition queues per type (the high-water mark: draining partitions count too)
 */
export async function applyGlobalConcurrency(connection: RedisClient, prefix: string, partitions: PartitionCounts): Promise<void> {
  // Opened without settings of their own: the API owns those (events maxLen).
  const queues = openQueues(connection, prefix, { partitions, open: partitions });
  try {
    for (const type of jobTypes) {
      const limit = catalog[type].globalConcurrency;
      const all = queues[type].partitions;
      for (const [i, queue] of all.entries()) {
        if (limit === undefined) await queue.removeGlobalConcurrency();
        else await queue.setGlobalConcurrency(shareOf(limit, i, all.length));
      }
    }
  } finally {
    await closeQueues(queues);
  }
}
