import { catalog, closeQueues, jobTypes, openQueues } from '@floodgate/shared/jobs';
import type { RedisClient } from '@floodgate/shared/redis';

/**
 * Applies each type's `globalConcurrency` from the catalog to its queue (a
 * limit across every worker process, kept by BullMQ in Redis), and removes a
 * limit the catalog no longer sets. Every worker process does it at start: the
 * last writer wins, and all of them write the same value.
 */
export async function applyGlobalConcurrency(connection: RedisClient, prefix: string): Promise<void> {
  // Opened without settings of their own: the API owns those (events maxLen).
  const queues = openQueues(connection, prefix);
  try {
    for (const type of jobTypes) {
      const limit = catalog[type].globalConcurrency;
      if (limit === undefined) await queues[type].removeGlobalConcurrency();
      else await queues[type].setGlobalConcurrency(limit);
    }
  } finally {
    await closeQueues(queues);
  }
}
