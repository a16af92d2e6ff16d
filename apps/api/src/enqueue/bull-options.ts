import { withAttemptTimeout } from '@floodgate/shared/jobs';
import type { EnqueueOptions, NewJobState } from '@floodgate/shared/wire';
import type { JobsOptions } from 'bullmq';

/** The BullMQ options of one job: the type's, with the producer's on top. */
export function bullOptions(base: Readonly<JobsOptions>, options: EnqueueOptions | undefined): JobsOptions {
  if (!options) return base;
  const merged: JobsOptions = {
    ...base,
    ...(options.delayMs === undefined ? {} : { delay: options.delayMs }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
    ...(options.backoff === undefined
      ? {}
      : { backoff: { type: options.backoff.type, delay: options.backoff.delayMs, jitter: options.backoff.jitter ?? 0 } }),
  };
  return options.timeoutMs === undefined ? merged : withAttemptTimeout(merged, options.timeoutMs);
}

/** The state a freshly added job is in, from its options. */
export function initialState(options: EnqueueOptions | undefined): NewJobState {
  if (options?.delayMs) return 'delayed';
  if (options?.priority) return 'prioritized';
  return 'waiting';
}
