import { startTenantDispatch, type TenantDispatch } from '@floodgate/shared/fairness';
import type { Logger } from '@floodgate/shared/logger';
import type { RedisClient } from '@floodgate/shared/redis';
import { WaitingError, type Worker } from 'bullmq';
import { hostname } from 'node:os';
import type { JobProcessor } from '../running/run-job';

export interface FairDispatchOptions {
  connection: RedisClient;
  /** Whether the type is fair here (QUEUE_FAIRNESS): its jobs' starts, ends and retries are reported. */
  fair: boolean;
  /** The tenant concurrency share in this partition; 0 for none. */
  cap: number;
  logger: Logger;
}

/**
 * Joins one BullMQ Worker to its partition's fair dispatch. Every partition, fair or not, registers slots and settles each
 * tick, so jobs left in lanes still drain. For a fair type each job's start, end and retry is reported, and a schedule's
 * run (added straight to wait by BullMQ) goes back to its tenant's turn first (`adopting`).
 */
export function joinFairDispatch(worker: Worker, options: FairDispatchOptions): { dispatch: TenantDispatch; adopting<R>(processor: JobProcessor<R>): JobProcessor<R> } {
  const dispatch = startTenantDispatch({
    redis: options.connection,
    queue: worker,
    workerId: `${hostname()}:${process.pid}:${worker.id}`,
    slots: () => worker.concurrency,
    cap: options.cap,
    logger: options.logger,
  });
  // A closed Worker takes no more jobs: its timers stop (what `stop` does besides, on Redis, its owner awaits).
  worker.on('closed', () => dispatch.halt());
  if (options.fair) {
    // A schedule's run is moved back to its tenant's turn (see adopting): its start is not one.
    worker.on('active', (job) => job.repeatJobKey === undefined && dispatch.started(job));
    worker.on('completed', (job) => dispatch.finished(job));
    worker.on('failed', (job) => {
      if (!job) return;
      // BullMQ sets finishedOn once a job failed for good; a retry with a delay waits in BullMQ's delayed set.
      if (job.finishedOn !== undefined) dispatch.finished(job);
      else if ((job.delay ?? 0) > 0) dispatch.retrying(job);
    });
  }
  const adopting = <R>(processor: JobProcessor<R>): JobProcessor<R> =>
    options.fair
      ? async (job, token) => {
          if (job.repeatJobKey !== undefined && (await dispatch.adopt(job, token))) throw new WaitingError();
          return processor(job, token);
        }
      : processor;
  return { dispatch, adopting };
}
