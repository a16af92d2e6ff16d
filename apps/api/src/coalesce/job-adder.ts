import type { JobType } from '@floodgate/shared/jobs';
import type { Job, JobsOptions } from 'bullmq';
import type { JobQueues } from '../queues';
import { createTickBatcher } from './tick-batcher';

/** Adds single jobs, coalescing those of one type that arrive in the same turn into one `addBulk`. */
export interface JobAdder {
  add(type: JobType, data: unknown, opts: JobsOptions): Promise<Job>;
}

/**
 * One `addBulk` (a single MULTI round trip) per type per turn of the event
 * loop, instead of one `add` per request. Jobs with a caller-chosen id do not
 * come through here: deduplication needs each one's own answer.
 */
export function createJobAdder(queues: JobQueues): JobAdder {
  const batcher = createTickBatcher<{ data: unknown; opts: JobsOptions }, Job>((type, items) =>
    queues[type as JobType].addBulk(items.map(({ data, opts }) => ({ name: type, data, opts }))),
  );
  return { add: (type, data, opts) => batcher.submit(type, { data, opts }) };
}
