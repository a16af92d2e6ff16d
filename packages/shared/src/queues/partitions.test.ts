import { randomUUID } from 'node:crypto';
import { eachTestConnection, redisTest } from '@floodgate/testkit/fixtures';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEnv } from '../env/parse-env';
import { createRedis, type RedisClient } from '../redis/create-redis';
import { createLogger } from '../logger';
import { defineJob } from '../jobs/define-job';
import { newJobId } from './job-id';
import { openQueues, closeQueues, type JobQueues } from './open-queues';
import { highWaterKey } from '../redis/keys';
import { partitionCounts, partitionOfKey, partitionShare, raisePartitionHighWater, readPartitionHighWater, shareOf } from './partitions';
import { openPartitionedQueues } from './partitioned-queues';
import { partitionsEnv } from '../jobs/per-type-env';

describe('partition arithmetic', () => {
  it('splits a limit in shares that differ by at most one and add up to it, never below 1', () => {
    for (const [total, count] of [[64, 6], [10, 3], [3, 3], [7, 1], [100, 64]] as const) {
      const shares = Array.from({ length: count }, (_, i) => shareOf(total, i, count));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
    expect(shareOf(2, 3, 4)).toBe(1);
  });

  it('splits a limit over the partitions taking jobs, one slot for each left draining above them', () => {
    const sharesOf = (total: number, taking: number, open: number) => Array.from({ length: open }, (_, i) => partitionShare(total, i, taking, open));
    // A shrink from 8 to 2: the 2 in use run at nearly the whole limit, not a quarter of it, and the sum stays the limit.
    expect(sharesOf(16, 2, 8)).toEqual([5, 5, 1, 1, 1, 1, 1, 1]);
    expect(sharesOf(64, 6, 6)).toEqual(Array.from({ length: 6 }, (_, i) => shareOf(64, i, 6)));
    for (const [total, taking, open] of [[16, 2, 8], [64, 3, 6], [10, 4, 5], [8, 8, 8]] as const) {
      expect(sharesOf(total, taking, open).reduce((a, b) => a + b, 0)).toBe(total);
    }
    // Each partition needs a slot: a limit below the open count is the only case that adds up to more.
    expect(sharesOf(2, 2, 4)).toEqual([1, 1, 1, 1]);
  });

  it('hashes a key to the same partition every time, in range, and spreads keys over all of them', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 600; i++) {
      const key = `order-${i}`;
      const partition = partitionOfKey(key, 6);
      expect(partition).toBe(partitionOfKey(key, 6));
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(6);
      seen.add(partition);
    }
    expect(seen.size).toBe(6);
    expect(partitionOfKey('anything', 1)).toBe(0);
  });

  it('refuses partition counts a type cannot split its limits over, in the catalog and in QUEUE_PARTITIONS', () => {
    const base = { description: 'x', payload: z.object({}), result: z.object({}) };
    expect(() => defineJob({ ...base, type: 'limited', globalConcurrency: 2, partitions: 3 })).toThrow(/3 partitions cannot share a globalConcurrency of 2/);
    expect(() => defineJob({ ...base, type: 'polite', workerRateLimit: { max: 1, durationMs: 1_000 }, partitions: 2 })).toThrow(/workerRateLimit of 1/);
    expect(() => defineJob({ ...base, type: 'huge', partitions: 65 })).toThrow(/from 1 to 64/);
    const Env = z.object({ QUEUE_PARTITIONS: partitionsEnv() });
    expect(parseEnv(Env, { QUEUE_PARTITIONS: 'sentiment=6' }).QUEUE_PARTITIONS).toEqual({ sentiment: 6 });
    expect(() => parseEnv(Env, { QUEUE_PARTITIONS: 'sentiment=0' })).toThrow(/sentiment must be a whole number from 1 to 64/);
    expect(() => parseEnv(Env, { QUEUE_PARTITIONS: 'nope=2' })).toThrow(/unknown job type "nope"/);
    expect(partitionCounts({ sentiment: 6 })).toMatchObject({ sentiment: 6, compute: 1, 'page-extract': 1 });
  });
});

const logger = createLogger({ name: 'partitions-test', level: 'silent', pretty: false });

/**
 * The file's private Redis; each test's own producer connection to it, and its own
 * queues under a prefix of their own: 3 partitions of sentiment take new jobs, and
 * partition 3 is left from an earlier count of 4.
 */
const test = redisTest.extend<{ connection: RedisClient; queues: JobQueues }>({
  connection: eachTestConnection((url) => createRedis('producer', { url, logger })),
  queues: async ({ connection }, use) => {
    const prefix = `{fg-partitions-${randomUUID()}}`;
    const queues = openQueues(connection, prefix, { partitions: { ...partitionCounts(), sentiment: 3 }, open: { ...partitionCounts(), sentiment: 4 } });
    await use(queues);
    await closeQueues(queues);
  },
});

describe('partition queues on a real Redis', () => {
  test('keeps the high-water mark at the largest count any process was given', async ({ connection }) => {
    const other = `{fg-hw-${randomUUID()}}`;
    expect(await raisePartitionHighWater(connection, other, { ...partitionCounts(), sentiment: 6 })).toMatchObject({ sentiment: 6, compute: 1 });
    // A process given fewer later does not lower it: partitions 3..5 are still read and drained.
    expect(await raisePartitionHighWater(connection, other, { ...partitionCounts(), sentiment: 3 })).toMatchObject({ sentiment: 6 });
    expect(await readPartitionHighWater(connection, other, partitionCounts())).toMatchObject({ sentiment: 6 });
    // An operator lowers it once those are empty.
    await connection.zadd(highWaterKey(other), 3, 'sentiment');
    expect(await readPartitionHighWater(connection, other, partitionCounts())).toMatchObject({ sentiment: 3 });
  });

  test('routes by id, spreads round-robin, skips partitions to avoid, and adds up counts over every open partition', async ({ queues }) => {
    const sentiment = queues.sentiment;
    expect(sentiment.count).toBe(3);
    expect(sentiment.partitions).toHaveLength(4);
    expect([0, 1, 2, 3, 4, 5].map(() => sentiment.nextPartition())).toEqual([0, 1, 2, 0, 1, 2]);
    expect([0, 1, 2].map(() => sentiment.nextPartition((p) => p === 1))).toEqual([0, 2, 0]);

    const ids = [0, 1, 2, 3].map((partition) => newJobId(partition));
    for (const [partition, id] of ids.entries()) {
      expect(sentiment.forJob(id)).toBe(sentiment.partitions[partition]);
      await sentiment.forJob(id).add('sentiment', { text: `in ${partition}` }, { jobId: id, delay: partition === 3 ? 60_000 : 0, timestamp: Date.now() + partition * 10 });
    }
    // A caller's own id lives where it hashes to, among the partitions new jobs go to.
    expect(sentiment.partitionOfJob('my-order-7')).toBe(partitionOfKey('my-order-7', 3));
    for (const [partition, id] of ids.entries()) {
      expect((await sentiment.getJob(id))?.data).toEqual({ text: `in ${partition}` });
      // Each job is only in its own partition.
      for (const other of sentiment.partitions.filter((_, i) => i !== partition)) expect(await other.getJob(id)).toBeUndefined();
    }
    expect(await sentiment.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 3, delayed: 1 });
    const { jobs: listed, nextCursor } = await sentiment.listJobs(['waiting'], '0', 2);
    expect(listed).toHaveLength(2);
    // Newest first across partitions.
    expect(listed.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    // The cursor holds how far each partition was read; the next page goes on from there.
    expect(nextCursor).toBe('0.1.1.0');
    const rest = await sentiment.listJobs(['waiting'], nextCursor!, 2);
    expect(rest.jobs.map((job) => job.id)).toEqual([ids[0]]);
    expect(rest.nextCursor).toBeNull();

    // An id naming a partition past the open ones is looked up (and not found) in partition 0: nothing is opened for it.
    expect(sentiment.forJob('p63-aaaaaaaaaaaaaaaaaaaaaa')).toBe(sentiment.first);
    expect(sentiment.partition(5)).toBe(sentiment.first);
    expect(sentiment.partitions).toHaveLength(4);

    // Ids not in the API's form are found wherever they are: a schedule's job in partition 0,
    // a caller's id hashed under an earlier count of 6 to partition 3 (left open by the mark).
    const scheduled = 'repeat:nightly:1700000000000';
    await sentiment.first.add('sentiment', { text: 'scheduled' }, { jobId: scheduled });
    expect(sentiment.forJob(scheduled)).not.toBe(sentiment.first);
    expect((await sentiment.getJob(scheduled))?.data).toEqual({ text: 'scheduled' });
    const earlier = Array.from({ length: 50 }, (_, i) => `order-${i}`).find((id) => partitionOfKey(id, 6) === 3 && partitionOfKey(id, 3) !== 3)!;
    await sentiment.partition(3).add('sentiment', { text: 'hashed under 6' }, { jobId: earlier, delay: 60_000 });
    expect((await sentiment.getJob(earlier))?.data).toEqual({ text: 'hashed under 6' });
    expect(await sentiment.getJobState(earlier)).toBe('delayed');
    expect(await sentiment.getJob('no-such-job')).toBeUndefined();
    await sentiment.first.remove(scheduled);
    await sentiment.partition(3).remove(earlier);

    await sentiment.pause();
    expect(await sentiment.isPaused()).toBe(true);
    expect(await Promise.all(sentiment.partitions.map((queue) => queue.isPaused()))).toEqual([true, true, true, true]);
    await sentiment.resume();
    expect(await sentiment.isPaused()).toBe(false);
  });

  test('grows to a raised mark, and a paused type stays paused in its new partitions', async ({ queues }) => {
    const compute = queues.compute;
    await compute.pause();
    await compute.grow(3);
    expect(compute.partitions).toHaveLength(3);
    expect(await Promise.all(compute.partitions.map((queue) => queue.isPaused()))).toEqual([true, true, true]);
    // New jobs still go only to the partitions this process was given.
    expect([0, 1].map(() => compute.nextPartition())).toEqual([0, 0]);
    await compute.resume();
  });

  test('finds a job in a partition another process opened since, at once, not after the next check of the mark', async ({ connection }) => {
    const other = `{fg-reach-${randomUUID()}}`;
    const env = (partitions: number) => ({ QUEUE_PREFIX: other, QUEUE_PARTITIONS: { compute: partitions }, QUEUE_PARTITIONS_CHECK_MS: 600_000 });
    const older = await openPartitionedQueues({ redis: connection, env: env(2), logger, raiseMark: true });
    const newer = await openPartitionedQueues({ redis: connection, env: env(4), logger, raiseMark: true });
    try {
      const id = newJobId(3);
      await newer.queues.compute.forJob(id).add('compute', { n: 1, m: 1 }, { jobId: id });
      expect(older.queues.compute.partitions).toHaveLength(2);
      expect((await older.queues.compute.getJob(id))?.id).toBe(id);
      expect(await older.queues.compute.getJobState(id)).toBe('waiting');
      expect(older.queues.compute.partitions).toHaveLength(4);
      // A made-up partition past the mark opens nothing.
      expect(await older.queues.compute.getJob(newJobId(9))).toBeUndefined();
      expect(older.queues.compute.partitions).toHaveLength(4);
    } finally {
      older.stopFollowing();
      newer.stopFollowing();
      await closeQueues(older.queues);
      await closeQueues(newer.queues);
    }
  });

  test('a producer started with a larger count pauses the partitions it adds to a paused type; one left running is not "paused"', async ({ connection }) => {
    const other = `{fg-paused-${randomUUID()}}`;
    const env = (partitions: number) => ({ QUEUE_PREFIX: other, QUEUE_PARTITIONS: { compute: partitions }, QUEUE_PARTITIONS_CHECK_MS: 60_000 });
    const before = await openPartitionedQueues({ redis: connection, env: env(2), logger, raiseMark: true });
    await before.queues.compute.pause();
    before.stopFollowing();
    await closeQueues(before.queues);

    // Restarted with 4: partitions 2 and 3 are opened at start, not grown into, and still start paused.
    const after = await openPartitionedQueues({ redis: connection, env: env(4), logger, raiseMark: true });
    try {
      const compute = after.queues.compute;
      expect(await Promise.all(compute.partitions.map((queue) => queue.isPaused()))).toEqual([true, true, true, true]);
      expect(await compute.isPaused()).toBe(true);
      await compute.partitions[3]!.resume();
      expect(await compute.isPaused()).toBe(false);
      await compute.pause();
      expect(await Promise.all(compute.partitions.map((queue) => queue.isPaused()))).toEqual([true, true, true, true]);
      await compute.resume();
      expect(await Promise.all(compute.partitions.map((queue) => queue.isPaused()))).toEqual([false, false, false, false]);
    } finally {
      after.stopFollowing();
      await closeQueues(after.queues);
    }
  });
});
