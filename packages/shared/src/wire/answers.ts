import { z } from 'zod';
import { JobTypeName } from './job-type-name';
import { ErrorBody } from './error-body';
import { JobState, NewJobState } from './job-states';

/** Where a job can be read back, relative to the API's base URL. */
export const JobLinks = z.strictObject({ self: z.string() });
export type JobLinks = z.output<typeof JobLinks>;

/** 202 to a new job: its id and where to read it (`Location` says it too). */
export const Accepted = z.strictObject({
  id: z.string(),
  type: JobTypeName,
  state: NewJobState,
  links: JobLinks,
});
export type Accepted = z.output<typeof Accepted>;

/** One item of a bulk answer that Redis holds: added now (`created`), or found by its own `jobId`. */
export const BulkItemStored = z.strictObject({ id: z.string(), state: JobState, created: z.boolean(), links: JobLinks });

/**
 * One item of a bulk answer that was not stored, or may not have been: the
 * error it would have got alone, and its id when it has one (with
 * `enqueue_outcome_unknown` the job may exist under that id: GET it).
 */
export const BulkItemFailed = z.strictObject({ id: z.string().optional(), error: ErrorBody.shape.error });

/**
 * `POST /v1/jobs/:type/bulk`: one entry per job sent, in the same order, and
 * whether `all`, `some` or `none` of them are stored (202 for all, 207 otherwise).
 * Items sent with their own `jobId` are safe to send again: a stored one is found, not added twice.
 */
export const BulkAccepted = z.strictObject({
  type: JobTypeName,
  status: z.enum(['all', 'some', 'none']),
  count: z.number().int().min(0).describe('Items Redis holds.'),
  jobs: z.array(z.union([BulkItemStored, BulkItemFailed])),
});
export type BulkAccepted = z.output<typeof BulkAccepted>;

/** The `details` of a 503 `enqueue_outcome_unknown`: the job that may exist, and where to look. */
export const OutcomeUnknownDetails = z.strictObject({ id: z.string(), type: JobTypeName, links: JobLinks });
export type OutcomeUnknownDetails = z.output<typeof OutcomeUnknownDetails>;

/**
 * `DELETE /v1/jobs/:type/:id`. `removed`: the job had not started and is gone.
 * `cancelling`: it runs, `receivers` worker processes received the cancel (PUBLISH's
 * count; none is a 503 `cancel_unheard` instead), and its handler is aborted: it ends
 * failed with `cancelled`.
 */
export const Cancelled = z.strictObject({
  id: z.string(),
  type: JobTypeName,
  state: z.enum(['removed', 'cancelling']),
  receivers: z.number().int().min(1).optional(),
  links: JobLinks,
});
export type Cancelled = z.output<typeof Cancelled>;

/** `POST /v1/jobs/:type/:id/retry`: the state right after the retry (waiting, prioritized, or already active). */
export const Retried = z.strictObject({ id: z.string(), type: JobTypeName, state: JobState, links: JobLinks });
export type Retried = z.output<typeof Retried>;
