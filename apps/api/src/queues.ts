import { jobTypes, queueIdentity, type JobType } from '@floodgate/shared/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** One BullMQ Queue per job type. */
export type JobQueues = Record<JobType, Queue>;

/**
 * Opens every catalog queue on one shared producer connection (fail-fast, no
 * offline queue). Job options are given per add, from the catalog.
 */
export function createQueues(connection: Redis, prefix: string, eventsMaxLen = 10_000): JobQueues {
  const entries = jobTypes.map((type) => {
    const { name, prefix: keyPrefix } = queueIdentity(type, prefix);
    // A bounded events stream: BullMQ trims it to about this many entries.
    const queue = new Queue(name, { connection, prefix: keyPrefix, streams: { events: { maxLen: eventsMaxLen } } });
    return [type, queue] as const;
  });
  return Object.fromEntries(entries) as JobQueues;
}

/** Closes every queue; the shared connection is closed by its owner. */
export async function closeQueues(queues: JobQueues): Promise<void> {
  await Promise.allSettled(Object.values(queues).map((queue) => queue.close()));
}
