import type { Logger } from '@floodgate/shared/logger';
import type { Worker } from 'bullmq';
import { HAND_BACK_REASON } from './hand-back';
import { settlesWithin } from './settles-within';

/** Time the hand-backs (one Redis call per job) and the workers' close get past the grace. */
const AFTER_GRACE_MS = 1_000;

/**
 * Stops `workers` gracefully: no new jobs, active ones get `graceMs`; then their signals abort and each job is handed
 * back to its wait list without spending an attempt (hand-back.ts). Never waits on Redis past `graceMs` + 2 s. Uses
 * `pause()` first, since BullMQ memoizes `close()` and a waiting one could not become `close(true)`.
 */
export async function drainWorkers(workers: readonly Worker[], graceMs: number, logger: Logger): Promise<void> {
  // pause(false) resolves once every attempt has ended and BullMQ recorded its outcome.
  const drained = Promise.all(workers.map((worker) => worker.pause(false)));
  const inTime = await settlesWithin(drained, graceMs);
  if (!inTime) {
    logger.warn({ graceMs }, 'active jobs outlived the drain grace period, handing them back');
    for (const worker of workers) worker.cancelAllJobs(HAND_BACK_REASON);
    if (!(await settlesWithin(drained, AFTER_GRACE_MS))) logger.warn({}, 'jobs not handed back in time (is Redis away?); they will be recovered as stalled');
  }
  const closed = Promise.all(workers.map((worker) => worker.close(!inTime)));
  if (!(await settlesWithin(closed, AFTER_GRACE_MS))) logger.warn({}, 'workers did not close in time');
}
