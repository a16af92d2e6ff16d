import type { Logger } from '@floodgate/shared/logger';
import { WaitingError, type Job } from 'bullmq';

/**
 * The reason `drainWorkers` cancels attempts with when the drain grace runs
 * out. An attempt cancelled for it is not a failure: the job goes back to wait.
 */
export const HAND_BACK_REASON = 'worker shutting down: job handed back';

/**
 * Moves an active job back to the front of its wait list without spending an attempt (so a deploy costs none), and returns
 * the error telling BullMQ it left `active`. If Redis will not take the move, the lock expires and the stalled check hands
 * the job on, counting against `maxStalledCount`, not attempts.
 */
export async function handBack(job: Job, token: string | undefined, logger: Logger): Promise<WaitingError> {
  try {
    if (token === undefined) throw new Error('no lock token');
    await job.moveToWait(token);
    logger.info({ jobId: job.id }, 'job handed back to the queue at shutdown');
  } catch (err) {
    logger.warn({ err, jobId: job.id }, 'job not handed back at shutdown; it will be recovered as stalled');
  }
  return new WaitingError();
}
