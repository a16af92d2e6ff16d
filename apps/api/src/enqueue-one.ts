import { catalog, jobOptionsFor, type JobType } from '@floodgate/shared/jobs';
import type { Job } from 'bullmq';
import type { RedisClient } from '@floodgate/shared/redis';
import type { Admission } from './admission/admission';
import type { JobAdder } from './coalesce/job-adder';
import { bullOptions, initialState, type EnqueueOptions } from './job-options';
import { redisUnavailable } from './errors';
import { jobLink } from './routes/job-request';

/** The 202 answer to a new job. */
export interface Accepted {
  id: string;
  type: JobType;
  state: 'waiting' | 'delayed' | 'prioritized';
  links: { self: string };
}

export type EnqueueOne = (
  type: JobType,
  envelope: { payload: unknown; options?: EnqueueOptions | undefined },
  client: string,
) => Promise<{ accepted: Accepted; job: Job }>;

/**
 * Admits and adds one validated job without a caller-chosen id: the hot path
 * of `POST /v1/jobs/:type`, shared by the express route and the lean listener
 * in front of it. Concurrent calls share their rate-limit and add round trips.
 */
export function createEnqueueOne(deps: { redis: RedisClient; admission: Admission; adder: JobAdder }): EnqueueOne {
  return async (type, envelope, client) => {
    const options = bullOptions(jobOptionsFor(catalog[type]), envelope.options);
    // No deadline per request: the batches these calls join each run under one (see
    // coalesce/), which is one timer per turn instead of one per request.
    if (deps.redis.status !== 'ready') throw redisUnavailable();
    await deps.admission.admitOne(type, client);
    const job = await deps.adder.add(type, envelope.payload, options);
    const id = String(job.id);
    return { job, accepted: { id, type, state: initialState(envelope.options), links: { self: jobLink(type, id) } } };
  };
}
