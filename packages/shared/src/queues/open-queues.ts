import { Queue, type Telemetry } from 'bullmq';
import type { RedisClient } from '../redis/create-redis';
import { jobTypes, type JobType } from '../jobs/catalog';
import { partitionCounts, type PartitionCounts } from './partitions';
import { queueIdentity } from './queue-identity';
import { createTypeQueue, type TypeQueue } from './type-queue';

/** Each job type's queues (one per partition), used as one per type. */
export type JobQueues = Record<JobType, TypeQueue>;

export interface OpenQueuesOptions {
  /**
   * Set when this process owns the queues' settings (the API): each queue's
   * events stream is trimmed to this many entries. Without it the queues are
   * opened with `skipMetasUpdate`, so a worker or the dashboard opening a queue
   * never resets what the API set.
   */
  eventsMaxLen?: number;
  /** BullMQ telemetry (tracing on): `add` and `addBulk` then make PRODUCER spans and carry their context in the job. @defaultValue none */
  telemetry?: Telemetry | undefined;
  /** Partitions new jobs go to, per type (QUEUE_PARTITIONS). @defaultValue the catalog's */
  partitions?: PartitionCounts;
  /** Partitions to open, per type: the high-water mark, so partitions left from a larger count are still read. @defaultValue `partitions` */
  open?: PartitionCounts;
  /** Reads the high-water mark and opens what it adds: a lookup of an id naming a partition not open yet calls it first. @defaultValue none */
  catchUp?: () => Promise<void>;
}

/** Opens every catalog queue (every partition of each) on one shared connection, which stays the caller's to close. */
export function openQueues(connection: RedisClient, prefix: string, options: OpenQueuesOptions = {}): JobQueues {
  const counts = options.partitions ?? partitionCounts();
  const settings = options.eventsMaxLen === undefined ? { skipMetasUpdate: true } : { streams: { events: { maxLen: options.eventsMaxLen } } };
  const telemetry = options.telemetry ? { telemetry: options.telemetry } : {};
  const entries = jobTypes.map((type) => {
    const openPartition = (index: number) => {
      const { name, prefix: keyPrefix } = queueIdentity(type, prefix, index);
      return new Queue(name, { connection, prefix: keyPrefix, ...settings, ...telemetry });
    };
    return [type, createTypeQueue(type, counts[type], options.open?.[type] ?? counts[type], openPartition, connection, options.catchUp)] as const;
  });
  return Object.fromEntries(entries) as JobQueues;
}

/** Closes every queue, each on its own: one failure does not keep the others open. */
export async function closeQueues(queues: JobQueues): Promise<void> {
  await Promise.allSettled(Object.values(queues).map((queue) => queue.close()));
}

/** Opens every type's partitions up to `open` (a raised high-water mark); see TypeQueue.grow. */
export async function growQueues(queues: JobQueues, open: PartitionCounts): Promise<void> {
  await Promise.all(jobTypes.map((type) => queues[type].grow(open[type])));
}
