import { z } from 'zod';
import { JobTypeName } from './job-type-name';
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

/** 202 to `POST /v1/jobs/:type/bulk`: one entry per job sent, in the same order. */
export const BulkAccepted = z.strictObject({
  type: JobTypeName,
  count: z.number().int().min(0),
  jobs: z.array(z.strictObject({ id: z.string(), state: NewJobState, links: JobLinks })),
});
export type BulkAccepted = z.output<typeof BulkAccepted>;

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
