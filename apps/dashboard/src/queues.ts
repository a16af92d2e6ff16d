import { jobTypes, queueIdentity } from '@floodgate/shared/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** One BullMQ Queue per catalog type, for Bull Board to read and act on. */
export function createQueues(connection: Redis, prefix: string): Queue[] {
  return jobTypes.map((type) => {
    const { name, prefix: keyPrefix } = queueIdentity(type, prefix);
    return new Queue(name, { connection, prefix: keyPrefix });
  });
}

export async function closeQueues(queues: Queue[]): Promise<void> {
  await Promise.allSettled(queues.map((queue) => queue.close()));
}
