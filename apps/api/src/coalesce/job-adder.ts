import { defineFairScripts, fairPartition, tenantOfJob, type FairPartition, type TenantJobOptions } from '@floodgate/shared/fairness';
import { shareOf, type JobType } from '@floodgate/shared/jobs';
import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { withinDeadline, type RedisClient } from '@floodgate/shared/redis';
import { enqueueOutcomeUnknown, HttpError, isRedisOutOfMemory, redisMemoryHigh, redisUnavailable, tenantQueueFull, wasNeverSent } from '../errors';
import type { JobQueues } from '../queues';
import type { AofAck } from '../durability/aof-ack';
import { REDIS_DEADLINE_MS, withRedis } from '../redis-deadline';
import { createTickBatcher } from './tick-batcher';

/**
 * Adds jobs, coalescing those of one type that arrive in the same turn into
 * one pipeline. Every job comes with its id (`opts.jobId`): an add that runs
 * twice for one id makes one job, and a failure can name the job it concerns.
 */
export interface JobAdder {
  /**
   * Settles with the job once Redis holds it, or rejects with an HttpError:
   * `redis_unavailable` when nothing was sent, `enqueue_outcome_unknown` (with
   * the id) when the add was sent and its answer lost, `redis_memory_high` at maxmemory.
   */
  add(type: JobType, data: unknown, opts: AddOptions, weight?: number): Promise<Job>;
  /**
   * Many jobs of one type that arrive together (a bulk request): the same
   * pipelined add, without a promise and a turn's wait per job. One outcome
   * per item, in order: the job, or the error `add` would have rejected with.
   */
  addAll(type: JobType, items: Item[]): Promise<Array<Job | Error>>;
}

/** A job's BullMQ options, with its id and whose job it is. */
export type AddOptions = JobsOptions & TenantJobOptions & { jobId: string };

interface Item {
  data: unknown;
  opts: AddOptions;
  /** The tenant's weight, for a fair type. @defaultValue 1 */
  weight?: number;
}

export interface JobAdderOptions {
  /** REDIS_ACK_FSYNC: answer a batch's jobs once they are in the append-only file on disk. @defaultValue off */
  aofAck?: AofAck | undefined;
  /** Longest a batch waits for Redis's answer before its jobs are `enqueue_outcome_unknown`. @defaultValue REDIS_DEADLINE_MS (5 s) */
  deadlineMs?: number;
  /** REDIS_ACK_REPLICAS / REDIS_ACK_TIMEOUT_MS: replicas that must hold a batch's jobs before they are answered. @defaultValue none */
  replication?: ReplicationAck | undefined;
  /**
   * The fair types (QUEUE_FAIRNESS) and each one's tenant backlog cap
   * (API_TENANT_BACKLOG_CAP), split over its partitions. @defaultValue no type is fair
   */
  fairness?: { fair: Readonly<Record<JobType, boolean>>; tenantBacklogCaps: Readonly<Record<JobType, number>> } | undefined;
}

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

/** Most jobs in one pipeline. */
const MAX_BATCH = 1_000;
/** Jobs of one `addAll` built and sent per turn of the event loop. */
const ADD_ALL_SLICE = 250;

const NO_REPLICATION: ReplicationAck = { replicas: 0, timeoutMs: 0 };

/**
 * One pipelined round trip per partition queue per turn of the event loop,
 * instead of one `add` per request. Each job goes to the partition its id names.
 */
export function createJobAdder(queues: JobQueues, redis: RedisClient, options: JobAdderOptions = {}): JobAdder {
  const replication = options.replication ?? NO_REPLICATION;
  // The deadline covers the WAIT for replicas too: a replica that never answers still ends in a 503.
  const deadlineMs = (options.deadlineMs ?? REDIS_DEADLINE_MS) + replication.timeoutMs;
  // Flushed per partition queue, keyed by its name (unique across types): one pipeline touches one
  // queue's slot, which a cluster requires (and which is one primary's round trip anyway).
  const targets = new Map<string, Target>();
  const keyOf = (type: JobType, jobId: string) => {
    const queue = queues[type].forJob(jobId);
    if (!targets.has(queue.name)) {
      const { partitions, count } = queues[type];
      const fair = options.fairness?.fair[type] ? fairPartition(redis, queue) : undefined;
      const cap = options.fairness?.tenantBacklogCaps[type] ?? 0;
      // A tenant's share of the type's tenant backlog cap, in this partition.
      const tenantBacklogCap = fair ? shareOf(cap, partitions.indexOf(queue), Math.max(count, partitions.indexOf(queue) + 1)) : 0;
      targets.set(queue.name, { type, queue, fair, tenantBacklogCap });
    }
    return queue.name;
  };
  const flush = async (key: string, items: Item[]): Promise<Array<Job | Error>> => {
    const target = targets.get(key)!;
    const { type } = target;
    const outcomes = await addEach(redis, target, items, deadlineMs, replication);
    const { aofAck } = options;
    if (!aofAck || outcomes.every((outcome) => outcome instanceof Error)) return outcomes;
    // The batch's added jobs are answered once they are on disk; when the ack fails, Redis
    // holds them but their durability is not known: each says so, with its id.
    try {
      await withRedis(redis, aofAck);
    } catch (err) {
      outcomes.forEach((outcome, i) => {
        if (!(outcome instanceof Error)) outcomes[i] = enqueueOutcomeUnknown(type, items[i]?.opts.jobId ?? '', err);
      });
    }
    return outcomes;
  };
  const batcher = createTickBatcher<Item, Job>(flush, MAX_BATCH);
  return {
    add: (type, data, opts, weight) => batcher.submit(keyOf(type, opts.jobId), { data, opts, ...(weight === undefined ? {} : { weight }) }),
    addAll: async (type, items) => {
      // Grouped by partition queue, then in slices sent one after another without waiting for the
      // replies, with a turn of the event loop between them: building a thousand adds at once held
      // the loop for tens of milliseconds on a busy machine, long enough for the event-loop guard
      // to shed the next requests.
      const groups = new Map<string, number[]>();
      items.forEach((item, index) => {
        const key = keyOf(type, item.opts.jobId);
        const group = groups.get(key);
        if (group) group.push(index);
        else groups.set(key, [index]);
      });
      const outcomes = new Array<Job | Error>(items.length);
      const sent: Array<Promise<void>> = [];
      let first = true;
      for (const [key, indexes] of groups) {
        for (let start = 0; start < indexes.length; start += ADD_ALL_SLICE) {
          if (!first) await new Promise((resolve) => setImmediate(resolve));
          first = false;
          const slice = indexes.slice(start, start + ADD_ALL_SLICE);
          sent.push(
            flush(key, slice.map((i) => items[i]!)).then(
              (done) => slice.forEach((i, n) => (outcomes[i] = done[n] ?? new Error('no outcome for this job'))),
              (err: unknown) => slice.forEach((i) => (outcomes[i] = err instanceof Error ? err : new Error(String(err)))),
            ),
          );
        }
      }
      await Promise.all(sent);
      return outcomes;
    },
  };
}

/** Where a batch goes: one partition queue, and for a fair type its fairness scripts. */
interface Target {
  type: JobType;
  queue: Queue;
  fair: FairPartition | undefined;
  tenantBacklogCap: number;
}

/**
 * Like `Queue.addBulk` (the same per-job script, in one pipeline), but with an
 * outcome per job. `addBulk` throws when any job of the batch fails, after
 * the others were added: when Redis reaches `maxmemory` part-way through a
 * batch, requests whose jobs exist would be told they failed, and retried into
 * duplicates. Here each request learns its own job's fate, and a batch whose
 * answer never comes (a dropped connection, the deadline) says so per job.
 */
async function addEach(redis: RedisClient, target: Target, items: Item[], deadlineMs: number, replication: ReplicationAck): Promise<Array<Job | Error>> {
  const { type, queue, fair } = target;
  // Refused before anything is written: nothing was enqueued, and saying so is the truth.
  if (redis.status !== 'ready') return items.map(() => redisUnavailable());
  // A fair type's adds are floodgate's own script, on the same connection BullMQ's queue uses.
  if (fair) defineFairScripts(redis);
  const pipeline: ChainableCommander = fair ? redis.pipeline() : ((await queue.getBackend().client).pipeline() as unknown as ChainableCommander);
  const outcomes: Array<Job | Error> = [];
  const queued: number[] = [];
  items.forEach(({ data, opts, weight }, i) => {
    const job = new Job(queue, type, data, opts, opts.jobId);
    outcomes.push(job);
    try {
      if (fair) {
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
  const unknown = (cause: unknown) => (index: number) => {
    outcomes[index] = enqueueOutcomeUnknown(type, items[index]?.opts.jobId ?? '', cause);
  };
  try {
    const replies = await withinDeadline(pipeline.exec(), deadlineMs, () => new Error(`no answer from Redis within ${deadlineMs} ms`));
    const confirmed = waiting ? (replies?.[queued.length] ?? [new Error('Redis sent no reply to WAIT'), null]) : undefined;
    queued.forEach((index, n) => {
      const [err, raw] = replies?.[n] ?? [new Error('Redis sent no reply for this job'), null];
      const id = fair && !err ? fair.addReply(raw) : raw;
      const job = outcomes[index] as Job;
      if (err) outcomes[index] = replyError(err, type, items[index]?.opts.jobId ?? '');
      else if (typeof id === 'object' && id !== null) {
        outcomes[index] = tenantQueueFull(type, tenantOfJob(items[index]?.opts).id, (id as { backlog: number }).backlog, target.tenantBacklogCap);
      }
      // BullMQ's scripts answer some refusals with a negative code rather than an error.
      else if (typeof id === 'number' && id < 0) outcomes[index] = new Error(`BullMQ refused the job (code ${id})`);
      else {
        job.id = String(id);
        if (confirmed && !(typeof confirmed[1] === 'number' && confirmed[1] >= replication.replicas)) {
          outcomes[index] = replicationUnconfirmed(type, job.id, replication.replicas, confirmed);
        }
      }
    });
  } catch (err) {
    if (wasNeverSent(err)) return items.map(() => redisUnavailable(err));
    queued.forEach(unknown(err));
  }
  return outcomes;
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
function replyError(err: Error, type: JobType, id: string): Error {
  if (isRedisOutOfMemory(err)) return redisMemoryHigh();
  if (wasNeverSent(err)) return redisUnavailable(err);
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
