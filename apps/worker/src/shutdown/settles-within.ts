import { withinDeadline } from '@floodgate/shared/redis';

/**
 * Whether `promise` settles (either way) within `ms`, without leaving a timer
 * behind. Every shutdown step that talks to Redis goes through this: while
 * Redis is unreachable, a command waits in ioredis's offline queue forever.
 */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  // Only the deadline can reject here: the promise's own outcome counts as settled.
  return withinDeadline(
    promise.then(() => true, () => true),
    ms,
    () => new Error('still pending'),
  ).catch(() => false);
}
