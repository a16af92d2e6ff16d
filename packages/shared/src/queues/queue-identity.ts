import { hashTagOf, keySlot, SLOT_COUNT } from '../redis/key-slot';
import type { JobType } from '../jobs/catalog';

/** Where one job type's BullMQ queue (or one partition of it) lives in Redis. */
export interface QueueIdentity {
  /** BullMQ queue name. */
  name: string;
  /** BullMQ key prefix. */
  prefix: string;
}

/**
 * The one place that names queues. Every BullMQ key of a queue is
 * `<prefix>:<name>:<suffix>`, and BullMQ's scripts touch several of them at
 * once, so all of one queue's keys must hash to one Redis Cluster slot:
 *
 * - With a plain prefix (the default, `floodgate`), each queue's name is its
 *   own hash tag (`{sentiment}`, `{sentiment.p1.4821}` for a partition), so
 *   queues land on different slots and spread over a cluster's masters.
 * - With a hash tag in the prefix (`{floodgate}`, the layout before queues
 *   spread), every key shares the prefix's slot and names stay bare
 *   (`sentiment`), so data written by earlier versions is still found.
 *
 * Keys outside BullMQ that scripts or MGET read together carry a shared tag
 * of their own (`floodgateKey` in redis/keys.ts, with every other key name):
 * moving a queue's tag does not move them.
 */
export function queueIdentity(type: JobType | (string & {}), prefix: string, partition = 0): QueueIdentity {
  if (hashTagOf(prefix) !== undefined) return { name: partition === 0 ? type : `${type}.p${partition}`, prefix };
  return { name: `{${partitionTag(type, partition)}}`, prefix };
}

/**
 * The hash tag of partition `partition` of `type`. Partition 0 is the type's
 * own name, so a type that grows from one partition to several keeps its
 * existing queue. Partition i > 0 is `<type>.p<i>.<k>`, with the smallest k
 * that puts it on a chosen slot: partition 0's slot shifted by the base-3
 * van der Corput fraction of i (1/3, 2/3, 1/9, 4/9, 7/9, ...). The shifts fill
 * the slot space evenly whatever the count, so on the usual 3-master cluster
 * (slots split in thirds) 3n partitions put n on each master. Depends on
 * (type, i) only: changing the partition count never renames a partition.
 */
export function partitionTag(type: string, partition: number): string {
  if (partition === 0) return type;
  const key = `${type}/${partition}`;
  const cached = tagCache.get(key);
  if (cached) return cached;
  const target = (keySlot(type) + Math.round(vanDerCorput3(partition) * SLOT_COUNT)) % SLOT_COUNT;
  for (let k = 0; ; k++) {
    const tag = `${type}.p${partition}.${k}`;
    if (keySlot(tag) === target) {
      tagCache.set(key, tag);
      return tag;
    }
  }
}

const tagCache = new Map<string, string>();

/** i written in base 3, mirrored behind the point: 1 → 0.1₃, 2 → 0.2₃, 3 → 0.01₃ ... */
function vanDerCorput3(i: number): number {
  let result = 0;
  let scale = 1 / 3;
  for (let n = i; n > 0; n = Math.floor(n / 3)) {
    result += (n % 3) * scale;
    scale /= 3;
  }
  return result;
}
