import type { RedisClient } from '../redis/create-redis';
import { fairKeys, jobKey, type QueueKeysOf } from '../redis/keys';
import type { HeldState } from './fair-partition';

/**
 * What BullMQ cannot tell about a fair type's jobs that wait for their
 * tenant's turn: they sit in fairness lanes, not in BullMQ's lists, so BullMQ
 * reports their state as `unknown` and leaves them out of its counts.
 */

/**
 * The state of a job BullMQ reports as `unknown`: a job that waits for its
 * tenant's turn is in the state BullMQ would give it (delayed while a delay or
 * retry runs, prioritized with a priority, else waiting); `unknown` when there is no such job.
 */
export async function heldJobState(redis: RedisClient, queue: QueueKeysOf, id: string): Promise<HeldState | 'unknown'> {
  const [delay, priority] = await redis.hmget(jobKey(queue, id), 'delay', 'priority');
  if (delay === null && priority === null) return 'unknown';
  if (Number(delay) > 0) return 'delayed';
  return Number(priority) > 0 ? 'prioritized' : 'waiting';
}

/** Jobs waiting for their tenant's turn in one partition, by the state BullMQ would report them in. */
export async function heldJobCounts(redis: RedisClient, queue: QueueKeysOf): Promise<Record<HeldState, number>> {
  const keys = fairKeys(queue);
  const [[held, heldp], due] = await Promise.all([redis.hmget(keys.meta, 'held', 'heldp'), redis.zcard(keys.due)]);
  return { waiting: Math.max(0, Number(held ?? 0)), prioritized: Math.max(0, Number(heldp ?? 0)), delayed: due };
}

/** The BullMQ state names (as `getJobCounts` and `getJobs` take them) that held jobs add to. */
export function heldStateOf(state: string): HeldState | undefined {
  if (state === 'waiting' || state === 'wait') return 'waiting';
  if (state === 'prioritized' || state === 'delayed') return state;
  return undefined;
}
