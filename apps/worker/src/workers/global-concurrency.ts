import { catalog, jobTypes } from '@floodgate/shared/jobs';
import { closeQueues, openQueues, partitionShare, type PartitionCounts } from '@floodgate/shared/queues';
import type { RedisClient } from '@floodgate/shared/redis';

/**
 * Applies each type's catalog `globalConcurrency` to its queues (removing one the catalog no longer sets), split over a
 * partitioned type's partitions in shares that add up to it (see `partitionShare`). Every worker does it at start; the
 * last writer wins, and all write the same values given the same QUEUE_PARTITIONS.
 * @param partitions partition queues per type (the high-water mark: draining partitions count too)
 * @param taking partitions per type that take new jobs (this process's QUEUE_PARTITIONS)
 */
export async function applyGlobalConcurrency(connection: RedisClient, prefix: string, partitions: PartitionCounts, taking: PartitionCounts = partitions): Promise<void> {
  // Opened without settings of their own: the API owns those (events maxLen).
  const queues = openQueues(connection, prefix, { partitions, open: partitions });
  try {
    for (const type of jobTypes) {
      const limit = catalog[type].globalConcurrency;
      const all = queues[type].partitions;
      for (const [i, queue] of all.entries()) {
        if (limit === undefined) await queue.removeGlobalConcurrency();
        else await queue.setGlobalConcurrency(partitionShare(limit, i, Math.min(taking[type], all.length), all.length));
      }
    }
  } finally {
    await closeQueues(queues);
  }
}
