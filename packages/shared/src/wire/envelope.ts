import { z } from 'zod';
import { catalog, jobTypes, type JobType } from '../jobs/catalog';
import { enqueueOptionsFor } from './enqueue-options';

/** Longest job id, the caller's or the API's. */
export const MAX_JOB_ID_LENGTH = 128;

/**
 * A job id the caller chooses (`jobId` in the body): BullMQ refuses ':' and
 * all-digit custom ids (those are its own), so the API does too, with a 422.
 */
export const CallerJobId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'a jobId is 1-128 characters of letters, digits, "_" and "-"')
  .refine((id) => !/^\d+$/.test(id), 'a jobId cannot be all digits (those are generated ids)');

/** One job as a request carries it, per type: `{ "payload": ..., "options"?: ... }` and nothing else. */
export function envelopeOf(type: JobType) {
  return z.strictObject({ payload: catalog[type].payload as z.ZodType, options: enqueueOptionsFor(catalog[type]).optional() });
}

/** One job as `POST /v1/jobs/:type` takes it: the envelope, plus an optional `jobId` of the caller's. */
export function singleJobEnvelopeOf(type: JobType) {
  return envelopeOf(type).extend({ jobId: CallerJobId.optional() });
}

/** The body of `POST /v1/jobs/:type/bulk`: at least one envelope, at most `maxJobs`. */
export function bulkBodyOf(type: JobType, maxJobs: number) {
  return z.strictObject({ jobs: z.array(envelopeOf(type)).min(1).max(maxJobs) });
}

/** Every type's single-job envelope, built once (they are fixed by the catalog). */
export const singleJobEnvelopes: ReadonlyMap<JobType, ReturnType<typeof singleJobEnvelopeOf>> = new Map(
  jobTypes.map((type) => [type, singleJobEnvelopeOf(type)]),
);
