import { Queue, type Telemetry } from 'bullmq';
import type { RedisClient } from '../redis/create-redis';
import { jobTypes, type JobType } from './catalog';
import { queueIdentity } from './queue-identity';

/** One BullMQ Queue per job type. */
export type JobQueues = Record<JobType, Queue>;

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
}

/** Opens every catalog queue on one shared connection, which stays the caller's to close. */
export function openQueues(connection: RedisClient, prefix: string, options: OpenQueuesOptions = {}): JobQueues {
  const entries = jobTypes.map((type) => {
    const { name, prefix: keyPrefix } = queueIdentity(type, prefix);
    const settings =
      options.eventsMaxLen === undefined ? { skipMetasUpdate: true } : { streams: { events: { maxLen: options.eventsMaxLen } } };
    const telemetry = options.telemetry ? { telemetry: options.telemetry } : {};
    return [type, new Queue(name, { connection, prefix: keyPrefix, ...settings, ...telemetry })] as const;
  });
  return Object.fromEntries(entries) as JobQueues;
}

/** Closes every queue, each on its own: one failure does not keep the others open. */
export async function closeQueues(queues: JobQueues): Promise<void> {
  await Promise.allSettled(Object.values(queues).map((queue) => queue.close()));
}
