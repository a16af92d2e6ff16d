import type { JobType } from '@floodgate/shared/jobs';
import type { JobState } from './job';

/** Where a job can be read back, relative to the API's base URL. */
export interface JobLinks {
  self: string;
}

/** What `enqueue` returns: the job's id and where it stands. */
export interface EnqueuedJob<T extends JobType = JobType> {
  id: string;
  type: T;
  /** `waiting`, `delayed` or `prioritized` for a new job; anything for one an idempotency key found. */
  state: JobState;
  links: JobLinks;
  /**
   * false when an idempotency key (or `jobId`) matched a job enqueued before:
   * nothing new was enqueued, and `id` is that job's.
   */
  created: boolean;
}

/** What `cancel` returns. */
export interface CancelledJob<T extends JobType = JobType> {
  id: string;
  type: T;
  /** `removed`: it had not started and is gone. `cancelling`: it runs; its worker aborts it and it ends `failed` with `cancelled: ...`. */
  state: 'removed' | 'cancelling';
  /**
   * With `cancelling`: how many worker processes received the cancel. When none
   * did, the API answers 503 `cancel_unheard` instead (the job goes on).
   */
  receivers?: number;
  links: JobLinks;
}

/** What `retry` returns: the failed job is queued again (or already running). */
export interface RetriedJob<T extends JobType = JobType> {
  id: string;
  type: T;
  /** Its state right after the retry: `waiting`, `prioritized`, or already `active`. */
  state: JobState;
  links: JobLinks;
}

/** Where `GET /v1/jobs/:type/:id` reads a job. */
export function jobPath(type: string, id: string): string {
  return `/v1/jobs/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
}
