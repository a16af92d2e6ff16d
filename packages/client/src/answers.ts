import type { JobState } from './job.js';

/** Where a job can be read back, relative to the API's base URL. */
export interface JobLinks {
  self: string;
}

/** What `enqueue` returns: the job's id and where it stands. */
export interface EnqueuedJob<T extends string = string> {
  id: string;
  type: T;
  /** `waiting`, `delayed` or `prioritized` for a new job; anything for one an idempotency key found. */
  state: JobState;
  links: JobLinks;
  /**
   * false when your idempotency key (or `jobId`) matched a job enqueued by an
   * earlier call: nothing new was enqueued, and `id` is that job's. A job this
   * very call made is `created: true` even when it took a resend to learn of it.
   */
  created: boolean;
}

/** The error of one bulk item, or of any answer: floodgate's `{code, message, details?}`. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** One item of a bulk answer that Redis holds: added now (`created`), or found by its own `jobId`. */
export interface BulkItemStored {
  id: string;
  state: JobState;
  created: boolean;
  links: JobLinks;
}

/**
 * One item of a bulk answer that was not stored, or may not have been: the
 * error it would have got alone, and its id when it has one (with
 * `enqueue_outcome_unknown` the job may exist under that id: `get` it).
 */
export interface BulkItemFailed {
  id?: string;
  error: ApiErrorBody;
}

/**
 * What `enqueueBulk` returns: each item's outcome in the order given, and
 * `status`: `all`, `some` or `none` stored (a partial answer is not thrown).
 */
export interface BulkEnqueued<T extends string = string> {
  type: T;
  status: 'all' | 'some' | 'none';
  /** Items Redis holds. */
  count: number;
  jobs: Array<BulkItemStored | BulkItemFailed>;
}

/** The `details` of a 503 `enqueue_outcome_unknown`: the job that may exist, and where to look. */
export interface OutcomeUnknownDetails {
  id: string;
  type: string;
  links: JobLinks;
}

/**
 * What `cancel` returns. `removed`: it had not started and is gone. `cancelling`: it runs;
 * `receivers` worker processes received the cancel, and its worker aborts it and it ends
 * `failed` with `cancelled: ...`.
 */
export interface CancelledJob<T extends string = string> {
  id: string;
  type: T;
  state: 'removed' | 'cancelling';
  receivers?: number;
  links: JobLinks;
}

/** What `retry` returns: the failed job is queued again (or already running), in its state right after. */
export interface RetriedJob<T extends string = string> {
  id: string;
  type: T;
  state: JobState;
  links: JobLinks;
}

/** Where `GET /v1/jobs/:type/:id` reads a job. */
export function jobPath(type: string, id: string): string {
  return `/v1/jobs/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
}
