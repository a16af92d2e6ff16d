import type { JobType } from './catalog';

/** Where one job type's BullMQ queue lives in Redis. */
export interface QueueIdentity {
  /** BullMQ queue name. */
  name: string;
  /** BullMQ key prefix. */
  prefix: string;
}

/**
 * The one place that names queues. Today every queue shares the hash-tagged
 * prefix (`{floodgate}`), so all keys land on one Redis Cluster slot and
 * BullMQ's multi-key scripts work. When one shard is no longer enough, the hash
 * tag moves from the prefix into each queue's name here, and nothing else changes.
 */
export function queueIdentity(type: JobType | (string & {}), prefix: string): QueueIdentity {
  return { name: type, prefix };
}
