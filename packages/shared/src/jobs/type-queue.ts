import type { Job, JobType as BullJobState, Queue } from 'bullmq';
import type { JobType } from './catalog';
import { MAX_PARTITIONS } from './define-job';
import { partitionOfJobId } from './job-id';
import { partitionOfKey } from './partitions';

/**
 * One job type's queues, used as one: partition 0 (the type's own queue) and,
 * for a partitioned type, partitions 1..N-1, each a BullMQ queue with a hash
 * tag of its own. Reads by id go to the partition the id names; counts add
 * up over every partition; pause and resume reach all of them.
 */
export interface TypeQueue {
  readonly type: JobType;
  /** Partitions new jobs go to: 0..count-1. */
  readonly count: number;
  /**
   * Every partition open here: the `count` that take new jobs, then those a
   * larger count left behind (the high-water mark), which hold jobs to drain.
   */
  readonly partitions: readonly Queue[];
  /** Partition 0, the type's own queue: schedules live here. */
  readonly first: Queue;
  /** The next partition for a job with no key: round-robin over `count`, skipping those `avoid` says are full. */
  nextPartition(avoid?: (partition: number) => boolean): number;
  /** The partition for an Idempotency-Key or a caller's own jobId, stable across processes. */
  partitionOfKey(key: string): number;
  /** The partition a job with this id is in, or would be added to: the one an API id names, or the one a caller's own id hashes to. */
  partitionOfJob(id: string): number;
  /** The queue of partition `index` (those past the open ones are opened on first use). */
  partition(index: number): Queue;
  /** The queue a job with this id is in, or would be added to. */
  forJob(id: string): Queue;
  getJob(id: string): Promise<Job | undefined>;
  getJobState(id: string): Promise<string>;
  getJobCounts(...states: BullJobState[]): Promise<Record<string, number>>;
  /** Newest first across partitions, `start`..`end` of the merged list (ordered by creation time). */
  getJobs(states: BullJobState[], start: number, end: number): Promise<Job[]>;
  /** Whether every partition is paused. */
  isPaused(): Promise<boolean>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  waitUntilReady(): Promise<void>;
  close(): Promise<void>;
}

/**
 * @param open the partitions to open now (the high-water mark, at least `count`)
 * @param openQueue opens partition `index` (named by queueIdentity)
 */
export function createTypeQueue(type: JobType, count: number, open: number, openQueue: (index: number) => Queue): TypeQueue {
  const partitions = Array.from({ length: Math.max(count, open) }, (_, i) => openQueue(i));
  const extra = new Map<number, Queue>();
  let next = 0;

  const partition = (index: number): Queue => {
    const opened = partitions[index] ?? extra.get(index);
    if (opened) return opened;
    // Never past the most a type may have: an id naming partition 9999 is simply not found (in partition 0).
    if (!Number.isInteger(index) || index < 0 || index >= MAX_PARTITIONS) return partitions[0]!;
    const queue = openQueue(index);
    extra.set(index, queue);
    return queue;
  };
  const partitionOfJob = (id: string) => partitionOfJobId(id) ?? partitionOfKey(id, count);
  const forJob = (id: string): Queue => partition(partitionOfJob(id));
  const every = <T>(run: (queue: Queue) => Promise<T>) => Promise.all(partitions.map(run));

  return {
    type,
    count,
    partitions,
    first: partitions[0]!,
    nextPartition(avoid) {
      for (let tried = 0; tried < count; tried++) {
        const candidate = next;
        next = (next + 1) % count;
        if (!avoid?.(candidate)) return candidate;
      }
      // Every partition is to be avoided: the caller's admission says why.
      return next;
    },
    partitionOfKey: (key) => partitionOfKey(key, count),
    partitionOfJob,
    partition,
    forJob,
    getJob: (id) => forJob(id).getJob(id),
    getJobState: (id) => forJob(id).getJobState(id),
    async getJobCounts(...states) {
      const counts = await every((queue) => queue.getJobCounts(...states));
      const total: Record<string, number> = {};
      for (const one of counts) for (const [state, n] of Object.entries(one)) total[state] = (total[state] ?? 0) + n;
      return total;
    },
    async getJobs(states, start, end) {
      if (partitions.length === 1) return partitions[0]!.getJobs(states, start, end, false);
      // Each partition's newest end + 1 jobs hold the merged list's first end + 1.
      const lists = await every((queue) => queue.getJobs(states, 0, end, false));
      return lists
        .flat()
        .sort((a, b) => b.timestamp - a.timestamp)
        .slice(start, end + 1);
    },
    isPaused: async () => (await every((queue) => queue.isPaused())).every(Boolean),
    pause: async () => void (await every((queue) => queue.pause())),
    resume: async () => void (await every((queue) => queue.resume())),
    waitUntilReady: async () => void (await every((queue) => queue.waitUntilReady())),
    close: async () => void (await Promise.allSettled([...partitions, ...extra.values()].map((queue) => queue.close()))),
  };
}
