import { catalog, jobOptionsFor, type JobType } from '@floodgate/shared/jobs';
import type { JobState, NewJobState } from '@floodgate/shared/wire';
import type { Job } from 'bullmq';
import type { RedisClient } from '@floodgate/shared/redis';
import type { Admission } from '../admission/admission';
import type { JobAdder } from '../coalesce/job-adder';
import { HttpError, redisUnavailable } from '../errors';
import type { JobQueues } from '../queues';
import { withRedis } from '../redis-deadline';
import { bullOptions, initialState } from './bull-options';
import { dedupeJobId, samePayload } from './idempotency-key';
import type { JobEnvelope, RequestParser } from './parse-request';

/** Who is enqueueing. */
export interface Caller {
  /** Whom rate limits count against: `key:<id>`, or `ip:<address>` with auth disabled. */
  client: string;
}

/** What became of one job sent to the pipeline. */
export type EnqueueOutcome =
  /** Added now: Redis holds it. */
  | { created: true; type: JobType; id: string; job: Job; state: NewJobState }
  /** An idempotency key or `jobId` named a job added before, with the same payload: nothing new was added. */
  | { created: false; type: JobType; id: string; job: Job; state: JobState };

/**
 * The one way a job gets into Redis: parse → policy → admission → add
 * (coalesced, one outcome per job) → outcome, which the HTTP adapters (the
 * lean listener, the express routes) turn into answers. Nothing else adds jobs.
 */
export interface EnqueuePipeline {
  /** One job (`POST /v1/jobs/:type`), with the request's `Idempotency-Key` header if any. */
  one(type: JobType, body: unknown, context: { caller: Caller; idempotencyKey?: string | undefined }): Promise<EnqueueOutcome>;
  /** Many jobs of one type (`POST /v1/jobs/:type/bulk`), every one valid or none added. */
  bulk(type: JobType, body: unknown, caller: Caller): Promise<EnqueueOutcome[]>;
}

export interface EnqueuePipelineDeps {
  redis: RedisClient;
  queues: JobQueues;
  parser: RequestParser;
  admission: Admission;
  adder: JobAdder;
}

export function createEnqueuePipeline(deps: EnqueuePipelineDeps): EnqueuePipeline {
  const addNew = async (type: JobType, envelope: JobEnvelope, jobId?: string): Promise<EnqueueOutcome> => {
    const options = bullOptions(jobOptionsFor(catalog[type]), envelope.options);
    const job = await deps.adder.add(type, envelope.payload, jobId === undefined ? options : { ...options, jobId });
    return { created: true, type, id: String(job.id), job, state: initialState(envelope.options) };
  };

  /** The job a dedupe id already names, or 409 when it was made with another payload. */
  const existing = async (type: JobType, job: Job, payload: unknown): Promise<EnqueueOutcome> => {
    if (!samePayload(job.data, payload)) {
      throw new HttpError('idempotency_conflict', 'This Idempotency-Key was already used with a different payload.', { details: { id: job.id } });
    }
    const state = (await withRedis(deps.redis, () => job.getState())) as JobState;
    return { created: false, type, id: String(job.id), job, state };
  };

  return {
    async one(type, body, { caller, idempotencyKey }) {
      const envelope = deps.parser.single(type, body);
      const jobId = dedupeJobId(type, idempotencyKey, envelope.jobId);
      if (jobId === undefined) {
        // The hot path. No deadline per request: the batches these calls join each
        // run under one (see coalesce/), one timer per turn instead of one per request.
        if (deps.redis.status !== 'ready') throw redisUnavailable();
        await deps.admission.admitOne(type, caller.client);
        return addNew(type, envelope);
      }
      // A repeated key: the job it made, not a new one (and no admission: nothing new is asked).
      const found = await withRedis(deps.redis, () => deps.queues[type].getJob(jobId));
      if (found) return existing(type, found, envelope.payload);
      await withRedis(deps.redis, () => deps.admission.admit(type, caller.client));
      const outcome = await addNew(type, envelope, jobId);
      // Two requests with one key can race past the check above; BullMQ keeps the first job.
      return samePayload(outcome.job.data, envelope.payload) ? outcome : existing(type, outcome.job, envelope.payload);
    },

    async bulk(type, body, caller) {
      const envelopes = deps.parser.bulk(type, body);
      await withRedis(deps.redis, () => deps.admission.admit(type, caller.client, envelopes.length));
      const settled = await Promise.allSettled(envelopes.map((envelope) => addNew(type, envelope)));
      const failed = settled.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      return settled.map((outcome) => (outcome as PromiseFulfilledResult<EnqueueOutcome>).value);
    },
  };
}
