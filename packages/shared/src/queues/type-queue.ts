import { Job, type JobType as BullJobState, type Queue } from 'bullmq';
import { fairPartition, heldJobCounts, heldJobState, heldStateOf, type HeldState } from '../fairness';
import type { RedisClient } from '../redis/create-redis';
import type { JobType } from '../jobs/catalog';
import { partitionOfJobId } from './job-id';
import { partitionOfKey } from './partitions';

/**
 * One job type's queues used as one: partition 0 (the type's own) and, when partitioned, 1..N-1. Reads by id go to the
 * partition the id names, counts add up, pause and resume reach all; a fair type's jobs waiting in fairness lanes (where
 * BullMQ does not look) are read, counted and listed in the state BullMQ would give them.
 */
export interface TypeQueue {
  readonly type: JobType;
  /** Partitions new jobs go to: 0..count-1. */
  readonly count: number;
  /**
   * Every partition open here: the `count` that take new jobs, then those a
   * larger count left behind (up to the high-water mark), which hold jobs to
   * drain. Grows with {@link TypeQueue.grow}.
   */
  readonly partitions: readonly Queue[];
  /** Partition 0, the type's own queue: schedules live here. */
  readonly first: Queue;
  /** The next partition for a job with no key: round-robin over `count`, skipping those `avoid` says to. */
  nextPartition(avoid?: (partition: number) => boolean): number;
  /** The partition for an Idempotency-Key or a caller's own jobId, stable across processes. */
  partitionOfKey(key: string): number;
  /** The partition a new job with this id goes to: the one an API id names, or the one any other id hashes to. */
  partitionOfJob(id: string): number;
  /**
   * The queue of partition `index`; partition 0 for one past the open ones
   * (no job was put there: every process opens up to the high-water mark
   * before it names a partition in an id), so a made-up id opens nothing.
   */
  partition(index: number): Queue;
  /** The queue a new job with this id is added to. */
  forJob(id: string): Queue;
  /**
   * The queue holding job `id`: the one an API id names; any other id is looked for where it hashes, then in every other
   * partition, 0 first (so ids hashed under an earlier count are found). One read on a hit, one per partition on a miss;
   * where it would be added when it is nowhere.
   */
  locate(id: string): Promise<Queue>;
  getJob(id: string): Promise<Job | undefined>;
  getJobState(id: string): Promise<string>;
  getJobCounts(...states: BullJobState[]): Promise<Record<string, number>>;
  /**
   * A page of jobs in `states`, newest first across partitions. The cursor is
   * an offset for one partition, and one offset per partition (`4.3.5`) for
   * several, so a page costs `limit` reads per partition however deep it is.
   */
  listJobs(states: BullJobState[], cursor: string, limit: number): Promise<{ jobs: Job[]; nextCursor: string | null }>;
  /** The ids of partition `queue`'s jobs in `states` from `offset`, those waiting for their tenant's turn after BullMQ's. */
  idsIn(queue: Queue, states: readonly BullJobState[], offset: number, limit: number): Promise<string[]>;
  /** Whether every partition is paused (one left running runs the type's jobs in it). */
  isPaused(): Promise<boolean>;
  /** Pauses every open partition. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /**
   * Pauses every open partition when partition 0 is paused: partitions opened
   * since the type was paused (a larger QUEUE_PARTITIONS at a restart, a
   * raised mark) take its state, so a paused type stays paused as it grows.
   * A producer runs it at start; {@link grow} runs it for what it opens.
   */
  alignPaused(): Promise<void>;
  /** Opens partitions up to `open` (the high-water mark rose: another process was given more), paused when the type is. */
  grow(open: number): Promise<void>;
  waitUntilReady(): Promise<void>;
  close(): Promise<void>;
}

/**
 * @param open the partitions to open now (the high-water mark, at least `count`)
 * @param openQueue opens partition `index` (named by queueIdentity)
 * @param redis the queues' connection, for the jobs waiting for their tenant's turn
 * @param catchUp reads the high-water mark and opens the partitions it adds (see `reach`); none: ids past the open partitions are looked for in partition 0
 */
export function createTypeQueue(
  type: JobType,
  count: number,
  open: number,
  openQueue: (index: number) => Queue,
  redis: RedisClient,
  catchUp?: () => Promise<void>,
): TypeQueue {
  const partitions = Array.from({ length: Math.max(count, open) }, (_, i) => openQueue(i));
  let next = 0;
  /**
   * An API id naming a partition not open here (another process was given a larger count, and this one has not
   * read the raised mark yet): read the mark now rather than answer 404 until the next check. One read of the
   * mark per such lookup; an id naming a partition past the mark (made up) is then looked for in partition 0.
   */
  const reach = async (id: string) => {
    const named = partitionOfJobId(id);
    if (catchUp && named !== undefined && named >= partitions.length) await catchUp();
  };

  const partition = (index: number): Queue => partitions[index] ?? partitions[0]!;
  const partitionOfJob = (id: string) => partitionOfJobId(id) ?? partitionOfKey(id, count);
  const forJob = (id: string): Queue => partition(partitionOfJob(id));
  /**
   * `read` from the queue where the job should be, then, while it says the job is
   * not there (`missing`), from the others it may be in: an API id is only ever
   * in the partition it names, or in partition 0 when a process that had not yet
   * opened that partition added it (see `partition`); any other id may be anywhere.
   */
  const readFromHolder = async <T>(id: string, read: (queue: Queue) => Promise<T>, missing: (value: T) => boolean): Promise<T> => {
    await reach(id);
    const home = forJob(id);
    const found = await read(home);
    if (partitions.length === 1 || !missing(found)) return found;
    const others = partitionOfJobId(id) === undefined ? partitions : [partitions[0]!];
    for (const queue of others) {
      if (queue === home) continue;
      const elsewhere = await read(queue);
      if (!missing(elsewhere)) return elsewhere;
    }
    return found;
  };
  const locate = async (id: string): Promise<Queue> => {
    await reach(id);
    const home = forJob(id);
    if (partitions.length === 1) return home;
    const holder = await readFromHolder(id, async (queue) => ((await stateIn(queue, id)) === 'unknown' ? undefined : queue), (queue) => queue === undefined);
    return holder ?? home;
  };
  const every = <T>(run: (queue: Queue) => Promise<T>) => Promise.all(partitions.map(run));
  const stateIn = async (queue: Queue, id: string): Promise<string> => {
    const state = await queue.getJobState(id);
    return state === 'unknown' ? heldJobState(redis, queue, id) : state;
  };

  const alignPaused = async () => {
    if (partitions.length === 1 || !(await partitions[0]!.isPaused())) return;
    await Promise.all(partitions.slice(1).map(async (queue) => (await queue.isPaused()) || queue.pause()));
  };

  return {
    type,
    count,
    partitions,
    first: partitions[0]!,
    nextPartition(avoid) {
      if (count === 1) return 0;
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
    locate,
    // One read when the job is where its id says (the read itself tells), not a lookup and then the read.
    getJob: (id) => readFromHolder(id, (queue) => queue.getJob(id), (job) => job === undefined),
    getJobState: (id) => readFromHolder<string>(id, (queue) => stateIn(queue, id), (state) => state === 'unknown'),
    async getJobCounts(...states) {
      const counts = await every((queue) => countsIn(redis, queue, states));
      const total: Record<string, number> = {};
      for (const one of counts) for (const [state, n] of Object.entries(one)) total[state] = (total[state] ?? 0) + n;
      return total;
    },
    async listJobs(states, cursor, limit) {
      const offsets = partitions.map((_, i) => Number(cursor.split('.')[i] ?? 0));
      const pages = await Promise.all(partitions.map((queue, i) => pageIn(redis, queue, states, offsets[i]!, limit)));
      if (partitions.length === 1) return { jobs: pages[0]!, nextCursor: pages[0]!.length === limit ? String(offsets[0]! + limit) : null };
      // Merged newest first (finished lists by when they finished): each step takes the newest of the partitions' next jobs.
      const at = (job: Job) => job.finishedOn ?? job.timestamp;
      const taken = pages.map(() => 0);
      const jobs: Job[] = [];
      while (jobs.length < limit) {
        let newest = -1;
        pages.forEach((page, i) => {
          const head = page[taken[i]!];
          if (head && (newest === -1 || at(head) > at(pages[newest]![taken[newest]!]!))) newest = i;
        });
        if (newest === -1) break;
        jobs.push(pages[newest]![taken[newest]!]!);
        taken[newest]!++;
      }
      const next = offsets.map((offset, i) => offset + taken[i]!).join('.');
      return { jobs, nextCursor: jobs.length === limit ? next : null };
    },
    idsIn: (queue, states, offset, limit) => idsIn(redis, queue, states, offset, limit),
    isPaused: async () => (await every((queue) => queue.isPaused())).every(Boolean),
    pause: async () => void (await every((queue) => queue.pause())),
    resume: async () => void (await every((queue) => queue.resume())),
    alignPaused,
    async grow(open) {
      if (open <= partitions.length) return;
      partitions.push(...Array.from({ length: open - partitions.length }, (_, i) => openQueue(partitions.length + i)));
      await alignPaused();
    },
    waitUntilReady: async () => void (await every((queue) => queue.waitUntilReady())),
    close: async () => void (await Promise.allSettled(partitions.map((queue) => queue.close()))),
  };
}

/** One partition's counts in `states`: BullMQ's, plus the jobs waiting for their tenant's turn. */
async function countsIn(redis: RedisClient, queue: Queue, states: BullJobState[]): Promise<Record<string, number>> {
  const [counts, held] = await Promise.all([queue.getJobCounts(...states), heldJobCounts(redis, queue)]);
  for (const state of states) {
    const as = heldStateOf(state);
    if (as) counts[state] = (counts[state] ?? 0) + held[as];
  }
  return counts;
}

/** One partition's jobs in `states` from `offset` (see {@link idsIn}). */
async function pageIn(redis: RedisClient, queue: Queue, states: BullJobState[], offset: number, limit: number): Promise<Job[]> {
  const ids = await idsIn(redis, queue, states, offset, limit);
  return (await Promise.all(ids.map((id) => Job.fromId(queue, id)))).filter((job): job is Job => job !== undefined);
}

/**
 * The ids of one partition's jobs in `states` from `offset`: BullMQ's lists
 * first (newest first), then the jobs waiting for their tenant's turn
 * (busiest tenants first, each lane from its front), as if they were one list
 * after BullMQ's.
 */
export async function idsIn(redis: RedisClient, queue: Queue, states: readonly BullJobState[], offset: number, limit: number): Promise<string[]> {
  const ids = await queue.getRanges([...states], offset, offset + limit - 1, false);
  const heldStates = [...new Set(states.map(heldStateOf).filter((state): state is HeldState => state !== undefined))];
  if (heldStates.length === 0 || ids.length >= limit) return ids;
  const inBull = Object.values(await queue.getJobCounts(...states)).reduce((sum, n) => sum + n, 0);
  const held = await heldJobCounts(redis, queue);
  let skip = Math.max(0, offset - inBull);
  for (const state of heldStates) {
    const want = limit - ids.length;
    if (want <= 0) break;
    if (skip >= held[state]) {
      skip -= held[state];
      continue;
    }
    ids.push(...(await fairPartition(redis, queue).held(state, skip, want)));
    skip = 0;
  }
  return ids;
}
