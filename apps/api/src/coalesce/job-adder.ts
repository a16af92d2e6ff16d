import type { JobType } from '@floodgate/shared/jobs';
import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { RedisClient } from '@floodgate/shared/redis';
import type { JobQueues } from '../queues';
import type { AofAck } from '../durability/aof-ack';
import { HttpError } from '../errors';
import { REDIS_DEADLINE_MS, withRedis } from '../redis-deadline';
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
export function createJobAdder(queues: JobQueues, redis: RedisClient, aofAck?: AofAck, replication: ReplicationAck = { replicas: 0, timeoutMs: 0 }): JobAdder {
  const batcher = createTickBatcher<{ data: unknown; opts: JobsOptions }, Job>(async (type, items) => {
    // The deadline covers the WAIT for replicas too: a replica that never answers still ends in a 503.
    const outcomes = await withRedis(redis, () => addEach(queues[type as JobType], type, items, replication), REDIS_DEADLINE_MS + replication.timeoutMs);
    if (!aofAck) return outcomes;
    // REDIS_ACK_FSYNC: the batch's jobs are answered once they are on disk, or each added one gets the ack's error.
    try {
      await withRedis(redis, aofAck);
    } catch (err) {
      const failure = err instanceof Error ? err : new Error(String(err));
      outcomes.forEach((outcome, i) => {
        if (!(outcome instanceof Error)) outcomes[i] = failure;
      });
    }
    return outcomes;
  });
  return { add: (type, data, opts) => batcher.submit(type, { data, opts }) };
}

/**
 * Like `Queue.addBulk` (the same per-job script, in one pipeline), but with an
 * outcome per job. `addBulk` throws when any job of the batch fails, after
 * the others were added: when Redis reaches `maxmemory` part-way through a
 * batch, requests whose jobs exist would be told they failed, and retried into
 * duplicates. Here each request learns its own job's fate.
 */
/**
 * REDIS_ACK_REPLICAS / REDIS_ACK_TIMEOUT_MS: how many replicas must hold a
 * batch's jobs before they are answered 202. Replication is asynchronous, so
 * without it a primary that dies right after answering takes the last writes
 * with it, and the promoted replica never saw them.
 */
export interface ReplicationAck {
  /** @defaultValue 0 (answer once the primary holds the job) */
  replicas: number;
  /** How long WAIT may block. @defaultValue 0 */
  timeoutMs: number;
}

async function addEach(queue: Queue, name: string, items: Array<{ data: unknown; opts: JobsOptions }>, replication: ReplicationAck): Promise<Array<Job | Error>> {
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
  // WAIT on the same connection, right after the adds, once for the whole batch: it
  // counts the replicas that acknowledged every write this connection made so far.
  const waiting = queued.length > 0 && replication.replicas > 0;
  if (waiting) pipeline.runCommand('wait', [replication.replicas, replication.timeoutMs]);
  const replies = queued.length > 0 ? ((await pipeline.exec()) ?? []) : [];
  const confirmed = waiting ? replies[queued.length] : undefined;
  queued.forEach((index, n) => {
    const [err, id] = replies[n] ?? [new Error('Redis sent no reply for this job'), null];
    const job = outcomes[index] as Job;
    if (err) outcomes[index] = err;
    // BullMQ's scripts answer some refusals with a negative code rather than an error.
    else if (typeof id === 'number' && id < 0) outcomes[index] = new Error(`BullMQ refused the job (code ${id})`);
    else {
      job.id = String(id);
      if (confirmed !== undefined && !(typeof confirmed[1] === 'number' && confirmed[1] >= replication.replicas)) {
        outcomes[index] = replicationUnconfirmed(name, job.id, replication.replicas, confirmed);
      }
    }
  });
  return outcomes;
}

/** 503: the primary holds the job, but not (yet) the replicas asked for; a failover now could lose it. */
function replicationUnconfirmed(type: string, id: string, wanted: number, reply: [Error | null, unknown]): HttpError {
  const [err, count] = reply;
  return new HttpError(
    'replication_unconfirmed',
    `The job was written, but ${typeof count === 'number' ? count : 'no'} of the ${wanted} replicas asked for confirmed it in time: it may exist. Check GET /v1/jobs/${type}/${id} before retrying.`,
    { details: { id, type, replicas: typeof count === 'number' ? count : 0, wanted }, cause: err ?? undefined, headers: { 'Retry-After': '1' } },
  );
}
