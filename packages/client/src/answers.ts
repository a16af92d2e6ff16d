import type { JobType } from '@floodgate/shared/jobs';
import type { Accepted, Cancelled, JobLinks, Retried } from '@floodgate/shared/wire';
import type { JobState } from './job';

export type { JobLinks };

/** What `enqueue` returns: the job's id and where it stands (the wire's `Accepted`, typed by job type). */
export interface EnqueuedJob<T extends JobType = JobType> extends Omit<Accepted, 'type' | 'state'> {
  type: T;
  /** `waiting`, `delayed` or `prioritized` for a new job; anything for one an idempotency key found. */
  state: JobState;
  /**
   * false when an idempotency key (or `jobId`) matched a job enqueued before:
   * nothing new was enqueued, and `id` is that job's.
   */
  created: boolean;
}

/**
 * What `cancel` returns. `removed`: it had not started and is gone. `cancelling`: it runs;
 * `receivers` worker processes received the cancel, and its worker aborts it and it ends
 * `failed` with `cancelled: ...`. When no worker process received it, the API answers
 * 503 `cancel_unheard` instead (the job goes on).
 */
export type CancelledJob<T extends JobType = JobType> = Omit<Cancelled, 'type'> & { type: T };

/** What `retry` returns: the failed job is queued again (or already running), in its state right after. */
export type RetriedJob<T extends JobType = JobType> = Omit<Retried, 'type'> & { type: T };

/** Where `GET /v1/jobs/:type/:id` reads a job. */
export function jobPath(type: string, id: string): string {
  return `/v1/jobs/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
}
