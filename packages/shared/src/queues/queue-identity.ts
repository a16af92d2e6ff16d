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
 * The one place that names queues. BullMQ's scripts touch several keys of a queue at once, so all must share a slot: under
 * a plain prefix the name is its own hash tag (`{sentiment}`), spreading queues over a cluster; under a tagged prefix
 * (`{floodgate}`, the old layout) names stay bare (`sentiment`) so earlier data is still found.
 */
export function queueIdentity(type: JobType | (string & {}), prefix: string, partition = 0): QueueIdentity {
  if (hashTagOf(prefix) !== undefined) return { name: partition === 0 ? type : `${type}.p${partition}`, prefix };
  return { name: `{${partitionTag(type, partition)}}`, prefix };
}

/**
 * The hash tag of partition `partition` of `type`: partition 0 is the type's name (a type that grows keeps its queue),
 * i > 0 is `<type>.p<i>.<k>` with the smallest k landing on partition 0's slot shifted by the base-3 van der Corput
 * fraction of i, so partitions spread evenly over the slots. Depends on (type, i) only, so changing N renames nothing.
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
