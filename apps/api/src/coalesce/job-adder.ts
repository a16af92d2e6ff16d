import type { JobType } from '@floodgate/shared/jobs';
import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { RedisClient } from '@floodgate/shared/redis';
import type { JobQueues } from '../queues';
import { withRedis } from '../redis-deadline';
import { createTickBatcher } from './tick-batcher';

/** Adds single jobs, coalescing those of one type that arrive in the same turn into one pipeline. */
export interface JobAdder {
  add(type: JobType, data: unknown, opts: JobsOptions): Promise<Job>;
}

/**
 * One pipelined round trip per type per turn of the event loop, instead of one
 * `add` per request. Jobs with a caller-chosen id do not come through here:
 * deduplication needs each one's own answer.
 */
export function createJobAdder(queues: JobQueues, redis: RedisClient): JobAdder {
  const batcher = createTickBatcher<{ data: unknown; opts: JobsOptions }, Job>((type, items) =>
    withRedis(redis, () => addEach(queues[type as JobType], type, items)),
  );
  return { add: (type, data, opts) => batcher.submit(type, { data, opts }) };
}

/**
 * Like `Queue.addBulk` (the same per-job script, in one pipeline), but with an
 * outcome per job. `addBulk` throws when any job of the batch fails, after
 * the others were added: when Redis reaches `maxmemory` part-way through a
 * batch, requests whose jobs exist would be told they failed, and retried into
 * duplicates. Here each request learns its own job's fate.
 */
async function addEach(queue: Queue, name: string, items: Array<{ data: unknown; opts: JobsOptions }>): Promise<Array<Job | Error>> {
  const client = await queue.getBackend().client;
  const pipeline = client.pipeline();
  const outcomes: Array<Job | Error> = [];
  const queued: number[] = [];
  items.forEach(({ data, opts }, i) => {
    const job = new Job(queue, name, data, opts, opts.jobId);
    outcomes.push(job);
    try {
      // addJob queues its script on the pipeline synchronously (as Queue.addBulk relies on).
      void Promise.resolve(job.addJob(pipeline as never)).catch(() => undefined);
      queued.push(i);
    } catch (err) {
      outcomes[i] = err instanceof Error ? err : new Error(String(err));
    }
  });
  const replies = queued.length > 0 ? ((await pipeline.exec()) ?? []) : [];
  queued.forEach((index, n) => {
    const [err, id] = replies[n] ?? [new Error('Redis sent no reply for this job'), null];
    const job = outcomes[index] as Job;
    if (err) outcomes[index] = err;
    // BullMQ's scripts answer some refusals with a negative code rather than an error.
    else if (typeof id === 'number' && id < 0) outcomes[index] = new Error(`BullMQ refused the job (code ${id})`);
    else job.id = String(id);
  });
  return outcomes;
}
