import type { TypeQueue } from '../queues/type-queue';
import type { DepthState } from './overview-fields';

/**
 * How many of a type's jobs are in each depth state now, over every partition.
 * Prioritized jobs are waiting too. (BullMQ 6 keeps a paused queue's jobs in its
 * wait list: there is no 'paused' state.)
 */
export async function depthCounts(queue: Pick<TypeQueue, 'getJobCounts'>): Promise<Record<DepthState, number>> {
  const raw = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
  return {
    waiting: (raw.waiting ?? 0) + (raw.prioritized ?? 0),
    active: raw.active ?? 0,
    delayed: raw.delayed ?? 0,
    failed: raw.failed ?? 0,
  };
}
