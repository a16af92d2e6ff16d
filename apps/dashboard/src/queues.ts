import { jobTypes, queueIdentity, type JobType } from '@floodgate/shared/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** The queue of each catalog job type, in catalog order. */
export type DashboardQueues = ReadonlyMap<JobType, Queue>;

/**
 * One BullMQ Queue per catalog type, for Bull Board to read and act on. They
 * share `connection` (a `producer` one from createRedis): Bull Board only runs
 * plain commands, never blocking ones, so failing fast while Redis is away
 * turns into an error on the page instead of a request that hangs.
 */
export function createQueues(connection: Redis, prefix: string): DashboardQueues {
  return new Map(
    jobTypes.map((type) => {
      const identity = queueIdentity(type, prefix);
      return [type, new Queue(identity.name, {
        connection,
        prefix: identity.prefix,
        // The API owns each queue's settings (events maxLen); opening it here must not reset them.
        skipMetasUpdate: true,
      })] as const;
    }),
  );
}

/** Closes every queue; the shared connection stays open for its owner to close. */
export async function closeQueues(queues: DashboardQueues): Promise<void> {
  await Promise.all([...queues.values()].map((queue) => queue.close()));
}
