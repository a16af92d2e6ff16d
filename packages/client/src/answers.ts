import type { JobState } from './job.js';
import type * as Wire from './wire.generated.js';
import type { OfType } from './wire-shapes.js';

/** Where a job can be read back, relative to the API's base URL. */
export type JobLinks = Wire.JobLinks;

/** What `enqueue` returns: the job's id and where it stands. */
export interface EnqueuedJob<T extends string = string> extends Omit<OfType<Wire.Accepted, T>, 'state'> {
  /** `waiting`, `delayed` or `prioritized` for a new job; anything for one an idempotency key found. */
  state: JobState;
  /**
   * false when your idempotency key (or `jobId`) matched a job enqueued by an
   * earlier call: nothing new was enqueued, and `id` is that job's. A job this
   * very call made is `created: true` even when it took a resend to learn of it.
   */
  created: boolean;
}

/** The error of one bulk item, or of any answer: floodgate's `{code, message, details?}`. */
export type ApiErrorBody = Wire.ApiError;

/** One item of a bulk answer that Redis holds: added now (`created`), or found by its own `jobId`. */
export type BulkItemStored = Wire.BulkItemStored;

/**
 * One item of a bulk answer that was not stored, or may not have been: the
 * error it would have got alone, and its id when it has one (with
 * `enqueue_outcome_unknown` the job may exist under that id: `get` it).
 */
export type BulkItemFailed = Wire.BulkItemFailed;

/**
 * What `enqueueBulk` returns: each item's outcome in the order given, and
 * `status`: `all`, `some` or `none` stored (a partial answer is not thrown).
 */
export type BulkEnqueued<T extends string = string> = OfType<Wire.BulkAccepted, T>;

/** The `details` of a 503 `enqueue_outcome_unknown`: the job that may exist, and where to look. */
export type OutcomeUnknownDetails = Wire.OutcomeUnknownDetails;

/**
 * What `cancel` returns. `removed`: it had not started and is gone. `cancelling`: it runs;
 * `receivers` worker processes received the cancel, and its worker aborts it and it ends
 * `failed` with `cancelled: ...`.
 */
export type CancelledJob<T extends string = string> = OfType<Wire.Cancelled, T>;

/** What `retry` returns: the failed job is queued again (or already running), in its state right after. */
export type RetriedJob<T extends string = string> = OfType<Wire.Retried, T>;

/** Where `GET /v1/jobs/:type/:id` reads a job. */
export function jobPath(type: string, id: string): string {
  return `/v1/jobs/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
}
