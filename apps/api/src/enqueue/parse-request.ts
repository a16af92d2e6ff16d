import { jobTypes, type JobType } from '@floodgate/shared/jobs';
import { isApiJobId } from '@floodgate/shared/queues';
import { bulkBodyOf, singleJobEnvelopes } from '@floodgate/shared/wire';
import type { z } from 'zod';
import { HttpError, invalidPayload, unknownJobType } from '../errors';
import type { PayloadPolicy } from './payload-policy';

/** One job as the pipeline takes it, once its body was validated. */
export type JobEnvelope = z.output<ReturnType<typeof bulkBodyOf>>['jobs'][number];

/** The first stage of the pipeline: a request body → valid envelopes (wire schemas + this deployment's policy), or a 4xx. */
export interface RequestParser {
  /** The body of `POST /v1/jobs/:type`. */
  single(type: JobType, body: unknown): JobEnvelope;
  /** The body of `POST /v1/jobs/:type/bulk`: every item valid, or one 422 naming each bad index. */
  bulk(type: JobType, body: unknown): JobEnvelope[];
}

export function createRequestParser(options: { payloadPolicy: PayloadPolicy; bulkMaxJobs: number }): RequestParser {
  // Built once per type: the schemas are fixed by the catalog and the limit.
  const bulkBodies = new Map(jobTypes.map((type) => [type, bulkBodyOf(type, options.bulkMaxJobs)]));
  const policy = options.payloadPolicy;
  return {
    single(type, body) {
      const parsed = singleJobEnvelopes.get(type)?.safeParse(body);
      if (!parsed) throw unknownJobType(type);
      if (!parsed.success) throw invalidPayload(parsed.error.issues);
      const refused = policy(type, parsed.data.payload, ['payload']);
      if (refused.length > 0) throw invalidPayload(refused);
      refuseReservedIds([parsed.data.jobId]);
      return parsed.data;
    },
    bulk(type, body) {
      const schema = bulkBodies.get(type);
      if (!schema) throw unknownJobType(type);
      const items = (body as { jobs?: unknown } | null)?.jobs;
      const count = Array.isArray(items) ? items.length : 0;
      if (count > options.bulkMaxJobs) {
        throw new HttpError('too_many_jobs', `A bulk request carries at most ${options.bulkMaxJobs} jobs; this one has ${count}.`, {
          details: { max: options.bulkMaxJobs, count },
        });
      }
      const parsed = schema.safeParse(body);
      if (!parsed.success) throw invalidPayload(parsed.error.issues);
      const refused = parsed.data.jobs.flatMap((job, i) => policy(type, job.payload, ['jobs', i, 'payload']));
      if (refused.length > 0) throw invalidPayload(refused);
      refuseReservedIds(parsed.data.jobs.map((job) => job.jobId));
      return parsed.data.jobs;
    },
  };
}

/** 422 `reserved_job_id` when a caller's `jobId` has the API's own form: it could collide with an id the API hands out. */
function refuseReservedIds(ids: Array<string | undefined>): void {
  const reserved = ids.flatMap((id, index) => (id !== undefined && isApiJobId(id) ? [index] : []));
  if (reserved.length === 0) return;
  throw new HttpError('reserved_job_id', 'A jobId of the form p<n>-<22 characters> is reserved for the ids the API assigns; choose another.', {
    details: ids.length === 1 ? undefined : { indexes: reserved },
  });
}
