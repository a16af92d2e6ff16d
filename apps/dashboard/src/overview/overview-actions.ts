import type { JobType, TypeQueue } from '@floodgate/shared/jobs';
import type { Queue } from 'bullmq';

/** Most failed jobs one "retry failed" click retries: a bounded write, however many have piled up. */
export const RETRY_FAILED_MAX = 1_000;

/**
 * Retries up to {@link RETRY_FAILED_MAX} failed jobs of one type, newest
 * first; returns how many went back to waiting and how many were still failed
 * after (another click retries the next batch). A job retried by someone
 * else in between is skipped, not counted.
 */
export async function retryFailed(queue: Queue): Promise<{ retried: number; stillFailed: number }> {
  const jobs = await queue.getFailed(0, RETRY_FAILED_MAX - 1);
  const outcomes = await Promise.allSettled(jobs.map((job) => job.retry('failed')));
  return { retried: outcomes.filter((outcome) => outcome.status === 'fulfilled').length, stillFailed: await queue.getFailedCount() };
}

export type QueueAction = 'pause' | 'resume' | 'retry-failed';

/** Runs one admin action on a type's queues (every partition); the answer says what changed. */
export async function runQueueAction(type: JobType, queue: TypeQueue, action: QueueAction): Promise<Record<string, unknown>> {
  if (action === 'pause') {
    await queue.pause();
    return { type, paused: true };
  }
  if (action === 'resume') {
    await queue.resume();
    return { type, paused: false };
  }
  // Each partition retries its own newest failed jobs, up to the bound each.
  const outcomes = await Promise.all(queue.partitions.map(retryFailed));
  return { type, retried: outcomes.reduce((n, o) => n + o.retried, 0), stillFailed: outcomes.reduce((n, o) => n + o.stillFailed, 0) };
}
