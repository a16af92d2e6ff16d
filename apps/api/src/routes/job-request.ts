import { catalog, isJobType, jobTypes, type JobType } from '@floodgate/shared/jobs';
import type { Request } from 'express';
import { z } from 'zod';
import { HttpError, invalidJobId, invalidPayload, unknownJobType } from '../errors';
import type { PayloadPolicy } from '../payload-policy';
import type { Principal } from '../auth/authenticator';
import { rateLimitClient } from '../auth/require-auth';
import { enqueueOptionsFor } from '../job-options';

const JOB_ID = /^[A-Za-z0-9_:-]{1,128}$/;

/**
 * A job id the caller chooses (`jobId` in the body): BullMQ refuses ':' and
 * all-digit custom ids (those are its own), so the API does too, with a 422.
 */
export const CallerJobId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'a jobId is 1-128 characters of letters, digits, "_" and "-"')
  .refine((id) => !/^\d+$/.test(id), 'a jobId cannot be all digits (those are generated ids)');

/** One job as a request carries it, per type: `{ "payload": ..., "options"?: ... }` and nothing else. */
function envelopeOf(type: JobType) {
  return z.strictObject({ payload: catalog[type].payload as z.ZodType, options: enqueueOptionsFor(catalog[type]).optional() });
}

/** One job as `POST /v1/jobs/:type` takes it: the envelope, plus an optional `jobId` of the caller's. */
export const singleJobEnvelopes = new Map(jobTypes.map((type) => [type, envelopeOf(type).extend({ jobId: CallerJobId.optional() })]));

/** The body of `POST /v1/jobs/:type/bulk`: at least one envelope, at most `maxJobs`. */
export function bulkBodyOf(type: JobType, maxJobs: number) {
  return z.strictObject({ jobs: z.array(envelopeOf(type)).min(1).max(maxJobs) });
}

/** The body of `POST /v1/jobs/:type`, validated against its type's schema and this deployment's policy, or a 422. */
export function parseSingleJob(type: JobType, body: unknown, policy: PayloadPolicy) {
  const parsed = singleJobEnvelopes.get(type)?.safeParse(body);
  if (!parsed) throw unknownJobType(type);
  if (!parsed.success) throw invalidPayload(parsed.error.issues);
  const refused = policy(type, parsed.data.payload, ['payload']);
  if (refused.length > 0) throw invalidPayload(refused);
  return parsed.data;
}

/** The `:type` of the path, or 404 `unknown_job_type`. */
export function jobTypeOf(req: Request): JobType {
  const type = String(req.params.type);
  if (!isJobType(type)) throw unknownJobType(type);
  return type;
}

/** The `:id` of the path, or 400 `invalid_job_id`. */
export function jobIdOf(req: Request): string {
  const id = String(req.params.id);
  if (!JOB_ID.test(id)) throw invalidJobId();
  return id;
}

/** Who rate limits count against: the request's API key (see requireAuth), else its address. */
export function clientOf(req: Request): string {
  return rateLimitClient(req.res?.locals.principal as Principal | undefined, req.ip ?? req.socket.remoteAddress);
}

/** The media types read as JSON (the body parser and the 415 check share them). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/** 415 unless the body was sent as JSON. */
export function requireJson(req: Request): void {
  if (!req.is(JSON_MEDIA_TYPES)) {
    throw new HttpError('unsupported_media_type', 'Send the job as JSON with "Content-Type: application/json".');
  }
}

/** Where a job is read back. */
export function jobLink(type: JobType, id: string): string {
  return `/v1/jobs/${type}/${encodeURIComponent(id)}`;
}
