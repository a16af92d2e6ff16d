import type { Logger } from '@floodgate/shared/logger';
import type { Worker } from 'bullmq';

/**
 * Stops `workers` gracefully: no new jobs are taken at once, active ones get up
 * to `graceMs` to finish. Past that, their signals abort and the workers close
 * without waiting; jobs still running then lose their lock, and BullMQ's
 * stalled-job check hands them to another worker.
 *
 * `pause()` first, not `close()`: BullMQ memoizes `close()`, so a
 * `close()` still waiting for jobs could not be turned into `close(true)` later.
 */
export async function drainWorkers(workers: readonly Worker[], graceMs: number, logger: Logger): Promise<void> {
  const drained = Promise.all(workers.map((worker) => worker.pause(false)));
  const inTime = await settlesWithin(drained, graceMs);
  if (!inTime) {
    logger.warn({ graceMs }, 'active jobs outlived the drain grace period, cancelling them');
    for (const worker of workers) worker.cancelAllJobs('worker shutting down');
  }
  await Promise.all(workers.map((worker) => worker.close(!inTime)));
}

/** Whether `promise` settles within `ms`, without leaving a timer behind. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
