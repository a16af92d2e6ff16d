import { z } from 'zod';
import { catalog, jobTypes, type JobType } from '../jobs/catalog';
import { EnqueueOptions, enqueueOptionsFor } from './enqueue-options';
import { perType } from './per-type';

/** Longest job id, the caller's or the API's. */
export const MAX_JOB_ID_LENGTH = 128;

/**
 * A job id the caller chooses (`jobId` in the body): BullMQ refuses ':' and
 * all-digit custom ids (those are its own), so the API does too, with a 422.
 * The API's own form (`p<n>-<22 characters>`, see jobs/job-id.ts) is refused
 * apart, with `reserved_job_id`.
 */
export const CallerJobId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'a jobId is 1-128 characters of letters, digits, "_" and "-"')
  .refine((id) => !/^\d+$/.test(id), 'a jobId cannot be all digits (those are generated ids)');

/** One job as a request carries it, per type: `{ "payload": ..., "options"?: ... }` and nothing else. */
export function envelopeOf(type: JobType) {
  return z.strictObject({ payload: catalog[type].payload as z.ZodType, options: enqueueOptionsFor(catalog[type]).optional() });
}

/** Any type's envelope with its `jobId`: the payload unknown, the options any type's. */
const AnySingleJobEnvelope = z.strictObject({ payload: z.unknown(), options: EnqueueOptions.optional(), jobId: CallerJobId.optional() });

/** One job as `POST /v1/jobs/:type` takes it: the envelope, plus an optional `jobId` of the caller's. */
export const singleJobEnvelopeOf = perType((type: JobType) => envelopeOf(type).extend({ jobId: CallerJobId.optional() }), AnySingleJobEnvelope);

/**
 * The body of `POST /v1/jobs/:type/bulk`: at least one envelope, at most
 * `maxJobs`, each with an optional `jobId` of the caller's (which makes a resent batch safe).
 */
export const bulkBodyOf = perType(
  (type: JobType, maxJobs: number) => z.strictObject({ jobs: z.array(singleJobEnvelopeOf(type)).min(1).max(maxJobs) }),
  z.strictObject({ jobs: z.array(AnySingleJobEnvelope).min(1) }),
);

/** Every type's single-job envelope, built once (they are fixed by the catalog). */
export const singleJobEnvelopes: ReadonlyMap<JobType, ReturnType<typeof singleJobEnvelopeOf>> = new Map(
  jobTypes.map((type) => [type, singleJobEnvelopeOf(type)]),
);
