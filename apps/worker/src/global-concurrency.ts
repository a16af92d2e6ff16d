import { catalog, jobTypes, queueIdentity } from '@floodgate/shared/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Applies each type's `globalConcurrency` from the catalog to its queue (a
 * limit across every worker process, kept by BullMQ in Redis), and removes a
 * limit the catalog no longer sets. Every worker process does it at start: the
 * last writer wins, and all of them write the same value.
 */
export async function applyGlobalConcurrency(connection: Redis, prefix: string): Promise<void> {
  for (const type of jobTypes) {
    const { name, prefix: keyPrefix } = queueIdentity(type, prefix);
    // skipMetasUpdate: the API owns the queue's settings (events maxLen); opening it here must not reset them.
    const queue = new Queue(name, { connection, prefix: keyPrefix, skipMetasUpdate: true });
    try {
      const limit = catalog[type].globalConcurrency;
      if (limit === undefined) await queue.removeGlobalConcurrency();
      else await queue.setGlobalConcurrency(limit);
    } finally {
      await queue.close();
    }
  }
}
