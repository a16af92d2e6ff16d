import type { JobType } from '@floodgate/shared/jobs';
import type { TypeQueue } from '@floodgate/shared/queues';

/** Most failed jobs one "retry failed" click retries: a bounded write, however many have piled up. */
export const RETRY_FAILED_MAX = 1_000;

/**
 * Retries up to {@link RETRY_FAILED_MAX} failed jobs of one type (over its
 * partitions, one after another, sharing the bound), newest first within each;
 * returns how many went back to waiting and how many were still failed after
 * (another click retries the next batch). A job retried by someone else in
 * between is skipped, not counted.
 */
export async function retryFailed(queue: TypeQueue): Promise<{ retried: number; stillFailed: number }> {
  let budget = RETRY_FAILED_MAX;
  let retried = 0;
  for (const partition of queue.partitions) {
    if (budget === 0) break;
    const jobs = await partition.getFailed(0, budget - 1);
    budget -= jobs.length;
    const outcomes = await Promise.allSettled(jobs.map((job) => job.retry('failed')));
    retried += outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  }
  const stillFailed = (await queue.getJobCounts('failed')).failed ?? 0;
  return { retried, stillFailed };
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
  return { type, ...(await retryFailed(queue)) };
}
