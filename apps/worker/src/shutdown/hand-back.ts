import type { Logger } from '@floodgate/shared/logger';
import { WaitingError, type Job } from 'bullmq';

/**
 * The reason `drainWorkers` cancels attempts with when the drain grace runs
 * out. An attempt cancelled for it is not a failure: the job goes back to wait.
 */
export const HAND_BACK_REASON = 'worker shutting down: job handed back';

/** Whether an attempt was cancelled by a shutdown past its grace (see {@link handBack}). */
export function isHandedBack(cancelSignal: AbortSignal | undefined): boolean {
  return cancelSignal?.aborted === true && cancelSignal.reason === HAND_BACK_REASON;
}

/**
 * Moves an active job back to the front of its wait list without spending an
 * attempt (BullMQ counts `attemptsMade` only when a job completes or fails), and
 * returns the error that tells BullMQ the job has left `active`. A deploy thus
 * costs no attempt, even a job's last one. Should Redis not take the move (it
 * is away, or the lock was lost), the lock expires and the stalled check hands
 * the job to another worker, which counts against `maxStalledCount`, not attempts.
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
