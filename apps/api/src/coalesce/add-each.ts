import { defineFairScripts, tenantOfJob, type FairPartition, type TenantJobOptions } from '@floodgate/shared/fairness';
import type { JobType } from '@floodgate/shared/jobs';
import { withinDeadline, type RedisClient } from '@floodgate/shared/redis';
import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { enqueueOutcomeUnknown, HttpError, isRedisOutOfMemory, redisMemoryHigh, redisUnavailable, tenantQueueFull, wasNeverSent } from '../errors';

/** A job's BullMQ options, with its id and whose job it is. */
export type AddOptions = JobsOptions & TenantJobOptions & { jobId: string };

/** One job to add. */
export interface AddItem {
  data: unknown;
  opts: AddOptions;
  /** The tenant's weight, for a fair type. @defaultValue 1 */
  weight?: number;
  /**
   * An idempotent add (an Idempotency-Key, a caller's own jobId): its record,
   * written beside the job in the same step (see fair-add.lua). Such adds go
   * through floodgate's own script whether the type is fair or not.
   */
  record?: { digest: string; owner: string; ttlSeconds: number; nonce: string };
}

/** What became of one add that Redis answered. */
export type Added =
  | { kind: 'added'; job: Job }
  /** The id was asked for before (its record says so): nothing was added. */
  | { kind: 'asked-before'; digest: string; owner: string }
  /** A job with this id exists, added another way (no record): nothing was added. */
  | { kind: 'exists' };

/** REDIS_ACK_REPLICAS / REDIS_ACK_TIMEOUT_MS (see job-adder.ts). */
export interface ReplicationAck {
  /** @defaultValue 0 (answer once the primary holds the job) */
  replicas: number;
  /** How long WAIT may block. @defaultValue 0 */
  timeoutMs: number;
}

/** Where a batch goes: one partition queue, and its fairness scripts. */
export interface AddTarget {
  type: JobType;
  queue: Queue;
  fair: FairPartition;
  /** Whether the type is fair here: plain adds go to their tenant's lane rather than BullMQ's wait list. */
  isFair: boolean;
  /** The tenant backlog cap in this partition (0: none). */
  tenantBacklogCap: number;
}

/**
 * Like `Queue.addBulk` (one script per job, one pipeline), but with an outcome per job: `addBulk` throws when any job
 * fails after the others were added (say at `maxmemory`), and retries would then duplicate them. A plain job of a type
 * that is not fair is BullMQ's own add; the rest (fair, or idempotent) are fair-add.lua.
 */
export async function addEach(redis: RedisClient, target: AddTarget, items: AddItem[], deadlineMs: number, replication: ReplicationAck): Promise<Array<Added | Error>> {
  const { type, queue, fair } = target;
  // Refused before anything is written: nothing was enqueued, and saying so is the truth.
  if (redis.status !== 'ready') return items.map(() => redisUnavailable());
  // Defined before the pipeline is made: ioredis copies a connection's scripts into each new pipeline.
  defineFairScripts(redis);
  const pipeline = (await queue.getBackend().client).pipeline() as unknown as ChainableCommander;
  const ours = items.map((item) => target.isFair || item.record !== undefined);
  const outcomes: Array<Added | Error> = [];
  const jobs: Job[] = [];
  const queued: number[] = [];
  items.forEach(({ data, opts, weight, record }, i) => {
    const job = new Job(queue, type, data, opts, opts.jobId);
    jobs.push(job);
    outcomes.push({ kind: 'added', job });
    try {
      if (ours[i]) {
        fair.queueAdd(
          {
            id: opts.jobId,
            name: type,
            data: JSON.stringify(data ?? {}),
            opts: storedOptions(job.opts),
            timestamp: job.timestamp,
            delayMs: opts.delay ?? 0,
            priority: opts.priority ?? 0,
            tenant: tenantOfJob(opts),
            weight: weight ?? 1,
            backlogCap: target.tenantBacklogCap,
            record,
          },
          pipeline,
        );
      } else {
        // addJob queues its script on the pipeline synchronously (as Queue.addBulk relies on).
        void Promise.resolve(job.addJob(pipeline as never)).catch(() => undefined);
      }
      queued.push(i);
    } catch (err) {
      outcomes[i] = err instanceof Error ? err : new Error(String(err));
    }
  });
  if (queued.length === 0) return outcomes;
  // WAIT on the same connection, right after the adds, once for the whole batch: it
  // counts the replicas that acknowledged every write this connection made so far.
  const waiting = replication.replicas > 0;
  if (waiting) pipeline.wait(replication.replicas, replication.timeoutMs);
  try {
    const replies = await withinDeadline(pipeline.exec(), deadlineMs, () => new Error(`no answer from Redis within ${deadlineMs} ms`));
    const confirmed = waiting ? (replies?.[queued.length] ?? [new Error('Redis sent no reply to WAIT'), null]) : undefined;
    queued.forEach((index, n) => {
      const [err, raw] = replies?.[n] ?? [new Error('Redis sent no reply for this job'), null];
      const id = items[index]?.opts.jobId ?? '';
      if (err) {
        outcomes[index] = replyError(err, type, id, redis);
        return;
      }
      const added = readReply(target, jobs[index]!, raw, ours[index]!, items[index]?.record?.nonce);
      if (added instanceof Error || added.kind !== 'added' || !confirmed) outcomes[index] = added;
      else if (!(typeof confirmed[1] === 'number' && confirmed[1] >= replication.replicas)) {
        outcomes[index] = replicationUnconfirmed(type, id, replication.replicas, confirmed);
      }
    });
  } catch (err) {
    if (wasNeverSent(err, redis)) return items.map(() => redisUnavailable(err));
    for (const index of queued) outcomes[index] = enqueueOutcomeUnknown(type, items[index]?.opts.jobId ?? '', err);
  }
  return outcomes;
}

/** One add's reply: floodgate's script's outcomes, or BullMQ's id (a negative number is a refusal). */
function readReply(target: AddTarget, job: Job, raw: unknown, ours: boolean, nonce: string | undefined): Added | Error {
  if (ours) {
    const reply = target.fair.addReply(raw);
    switch (reply.outcome) {
      case 'added':
        return { kind: 'added', job };
      case 'asked-before':
        // This very request's record: the add was resent (ioredis retried it after its answer was lost) and its first send stored the job.
        if (reply.nonce !== '' && reply.nonce === nonce) return { kind: 'added', job };
        return { kind: 'asked-before', digest: reply.digest, owner: reply.owner };
      case 'exists':
        return { kind: 'exists' };
      case 'tenant_queue_full':
        return tenantQueueFull(target.type, tenantOfJob(job.opts).id, reply.backlog, target.tenantBacklogCap);
    }
  }
  if (typeof raw === 'number' && raw < 0) return new Error(`BullMQ refused the job (code ${raw})`);
  return { kind: 'added', job };
}

/**
 * A job's options as BullMQ stores them (its `optsAsJSON`): what floodgate
 * sets passes through as is, and telemetry goes under its short names.
 */
function storedOptions(opts: JobsOptions): string {
  const { telemetry, ...rest } = opts;
  return JSON.stringify({
    ...rest,
    ...(telemetry?.metadata === undefined ? {} : { tm: telemetry.metadata }),
    ...(telemetry?.omitContext === undefined ? {} : { omc: telemetry.omitContext }),
  });
}

/** What one job's error reply means: refused at maxmemory (nothing stored), a connection lost after sending (unknown), or a bug. */
function replyError(err: Error, type: JobType, id: string, redis: RedisClient): Error {
  // On a Cluster the error may be that of a resend (see wasNeverSent), whose first send may have stored the job.
  if (redis.isCluster) return enqueueOutcomeUnknown(type, id, err);
  if (isRedisOutOfMemory(err)) return redisMemoryHigh();
  if (wasNeverSent(err, redis)) return redisUnavailable(err);
  if (err.name === 'AbortError' || err.name === 'MaxRetriesPerRequestError' || /Connection is closed|ECONNRESET|EPIPE/i.test(err.message)) {
    return enqueueOutcomeUnknown(type, id, err);
  }
  return err;
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
