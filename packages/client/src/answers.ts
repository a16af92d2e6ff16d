import type { JobType } from '@floodgate/shared/jobs';
import type { Accepted, BulkAccepted, Cancelled, JobLinks, Retried, TenantPage, TenantPaused, TenantStatus } from '@floodgate/shared/wire';
import type { JobState } from './job';

export type { JobLinks, TenantStatus };

/** What `tenants` returns: a page of a type's busiest tenants (the wire's `TenantPage`). */
export type TenantList<T extends JobType = JobType> = Omit<TenantPage, 'type'> & { type: T };

/** What `pauseTenant` and `resumeTenant` return. */
export type TenantPauseState<T extends JobType = JobType> = Omit<TenantPaused, 'type'> & { type: T };

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
 * What `enqueueBulk` returns (the wire's `BulkAccepted`): each item's outcome in
 * the order given, `{id, state, created, links}` when Redis holds it or
 * `{id?, error: {code, message, details?}}` when not (or maybe not: with
 * `enqueue_outcome_unknown`, GET its id), and `status`: `all`, `some` or `none` stored.
 */
export type BulkEnqueued<T extends JobType = JobType> = Omit<BulkAccepted, 'type'> & { type: T };

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
