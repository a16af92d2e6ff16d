import { fairPartition } from '@floodgate/shared/fairness';
import { type JobType } from '@floodgate/shared/jobs';
import { shareOf } from '@floodgate/shared/queues';
import type { RedisClient } from '@floodgate/shared/redis';
import { enqueueOutcomeUnknown } from '../errors';
import type { JobQueues } from '../redis/queues';
import type { AofAck } from '../durability/aof-ack';
import { REDIS_DEADLINE_MS, withRedis } from '../redis/redis-deadline';
import { addEach, type AddItem, type AddTarget, type Added, type ReplicationAck } from './add-each';
import { createTickBatcher } from './tick-batcher';

export type { AddItem, AddOptions, Added, ReplicationAck } from './add-each';

/**
 * Adds jobs, coalescing those of one type that arrive in the same turn into
 * one pipeline. Every job comes with its id (`opts.jobId`): an add that runs
 * twice for one id makes one job, and a failure can name the job it concerns.
 */
export interface JobAdder {
  /**
   * Settles once Redis answered: the job added, or (an idempotent add) what
   * its record or an existing job says instead; or rejects with an HttpError:
   * `redis_unavailable` when nothing was sent, `enqueue_outcome_unknown` (with
   * the id) when the add was sent and its answer lost, `redis_memory_high` at
   * maxmemory, `tenant_queue_full`, `replication_unconfirmed`.
   */
  add(type: JobType, item: AddItem): Promise<Added>;
  /**
   * Many jobs of one type that arrive together (a bulk request): the same
   * pipelined add, without a promise and a turn's wait per job. One outcome
   * per item, in order: what `add` would have settled or rejected with.
   */
  addAll(type: JobType, items: AddItem[]): Promise<Array<Added | Error>>;
}

export interface JobAdderOptions {
  /** REDIS_ACK_FSYNC: answer a batch's jobs once they are in the append-only file on disk. @defaultValue off */
  aofAck?: AofAck | undefined;
  /** Longest a batch waits for Redis's answer before its jobs are `enqueue_outcome_unknown`. @defaultValue REDIS_DEADLINE_MS (5 s) */
  deadlineMs?: number;
  /**
   * REDIS_ACK_REPLICAS / REDIS_ACK_TIMEOUT_MS: replicas that must hold a batch's
   * jobs before they are answered 202. Replication is asynchronous, so without it a
   * primary that dies right after answering takes the last writes with it.
   * @defaultValue none
   */
  replication?: ReplicationAck | undefined;
  /**
   * The fair types (QUEUE_FAIRNESS) and each one's tenant backlog cap
   * (API_TENANT_BACKLOG_CAP), split over its partitions. @defaultValue no type is fair
   */
  fairness?: { fair: Readonly<Record<JobType, boolean>>; tenantBacklogCaps: Readonly<Record<JobType, number>> } | undefined;
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
  const targets = new Map<string, AddTarget>();
  const keyOf = (type: JobType, jobId: string) => {
    const queue = queues[type].forJob(jobId);
    if (!targets.has(queue.name)) {
      const { partitions, count } = queues[type];
      const isFair = options.fairness?.fair[type] ?? false;
      const cap = options.fairness?.tenantBacklogCaps[type] ?? 0;
      // A tenant's share of the type's tenant backlog cap, in this partition.
      const tenantBacklogCap = isFair ? shareOf(cap, partitions.indexOf(queue), Math.max(count, partitions.indexOf(queue) + 1)) : 0;
      targets.set(queue.name, { type, queue, fair: fairPartition(redis, queue), isFair, tenantBacklogCap });
    }
    return queue.name;
  };
  const flush = async (key: string, items: AddItem[]): Promise<Array<Added | Error>> => {
    const target = targets.get(key)!;
    const { type } = target;
    const outcomes = await addEach(redis, target, items, deadlineMs, replication);
    const { aofAck } = options;
    if (!aofAck || outcomes.every((outcome) => outcome instanceof Error || outcome.kind !== 'added')) return outcomes;
    // The batch's added jobs are answered once they are on disk; when the ack fails, Redis
    // holds them but their durability is not known: each says so, with its id.
    try {
      await withRedis(redis, aofAck);
    } catch (err) {
      outcomes.forEach((outcome, i) => {
        if (!(outcome instanceof Error) && outcome.kind === 'added') outcomes[i] = enqueueOutcomeUnknown(type, items[i]?.opts.jobId ?? '', err);
      });
    }
    return outcomes;
  };
  const batcher = createTickBatcher<AddItem, Added>(flush, MAX_BATCH);
  return {
    add: (type, item) => batcher.submit(keyOf(type, item.opts.jobId), item),
    addAll: async (type, items) => {
      // Per partition queue, in slices sent without waiting for replies, a loop turn between them: a thousand adds built at once
      // held the loop long enough for the event-loop guard to shed the next requests.
      const groups = new Map<string, number[]>();
      items.forEach((item, index) => {
        const key = keyOf(type, item.opts.jobId);
        const group = groups.get(key);
        if (group) group.push(index);
        else groups.set(key, [index]);
      });
      const outcomes = new Array<Added | Error>(items.length);
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
