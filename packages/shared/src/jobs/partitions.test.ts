import { randomUUID } from 'node:crypto';
import { startRedis, type PrivateRedis } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEnv } from '../env/parse-env';
import { createRedis, type RedisClient } from '../redis/create-redis';
import { waitForRedis } from '../redis/wait-for-redis';
import { createLogger } from '../logger';
import { defineJob } from './define-job';
import { newJobId } from './job-id';
import { openQueues, closeQueues, type JobQueues } from './open-queues';
import { highWaterKey, partitionCounts, partitionOfKey, raisePartitionHighWater, readPartitionHighWater, shareOf } from './partitions';
import { partitionsEnv } from './per-type-env';

describe('partition arithmetic', () => {
  it('splits a limit in shares that differ by at most one and add up to it, never below 1', () => {
    for (const [total, count] of [[64, 6], [10, 3], [3, 3], [7, 1], [100, 64]] as const) {
      const shares = Array.from({ length: count }, (_, i) => shareOf(total, i, count));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
    expect(shareOf(2, 3, 4)).toBe(1);
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

describe('partition queues on a real Redis', () => {
  let redis: PrivateRedis;
  let connection: RedisClient;
  let queues: JobQueues;
  const prefix = `{fg-partitions-${randomUUID()}}`;

  beforeAll(async () => {
    redis = await startRedis();
    connection = createRedis('producer', { url: redis.url, logger: createLogger({ name: 'partitions-test', level: 'silent', pretty: false }) });
    await waitForRedis(connection);
    // 3 partitions take new jobs; partition 3 is left from an earlier count of 4.
    queues = openQueues(connection, prefix, { partitions: { ...partitionCounts(), sentiment: 3 }, open: { ...partitionCounts(), sentiment: 4 } });
  });
  afterAll(async () => {
    if (queues) await closeQueues(queues);
    connection?.disconnect();
    await redis?.stop();
  });

  it('keeps the high-water mark at the largest count any process was given', async () => {
    const other = `{fg-hw-${randomUUID()}}`;
    expect(await raisePartitionHighWater(connection, other, { ...partitionCounts(), sentiment: 6 })).toMatchObject({ sentiment: 6, compute: 1 });
    // A process given fewer later does not lower it: partitions 3..5 are still read and drained.
    expect(await raisePartitionHighWater(connection, other, { ...partitionCounts(), sentiment: 3 })).toMatchObject({ sentiment: 6 });
    expect(await readPartitionHighWater(connection, other, partitionCounts())).toMatchObject({ sentiment: 6 });
    // An operator lowers it once those are empty.
    await connection.zadd(highWaterKey(other), 3, 'sentiment');
    expect(await readPartitionHighWater(connection, other, partitionCounts())).toMatchObject({ sentiment: 3 });
  });

  it('routes by id, spreads round-robin, skips partitions to avoid, and adds up counts over every open partition', async () => {
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
    const listed = await sentiment.getJobs(['waiting'], 0, 1);
    expect(listed).toHaveLength(2);
    // Newest first across partitions.
    expect(listed.map((job) => job.id)).toEqual([ids[2], ids[1]]);

    // An id naming a partition no type may have is looked up (and not found) in partition 0.
    expect(sentiment.forJob('p99-aaaaaaaaaaaaaaaaaaaaaa')).toBe(sentiment.first);
    // One past the open ones (a process that knew more partitions) is opened on demand.
    expect(sentiment.partition(5)).toBeInstanceOf(Queue);
    expect(sentiment.partitions).toHaveLength(4);

    await sentiment.pause();
    expect(await sentiment.isPaused()).toBe(true);
    expect(await Promise.all(sentiment.partitions.map((queue) => queue.isPaused()))).toEqual([true, true, true, true]);
    await sentiment.resume();
    expect(await sentiment.isPaused()).toBe(false);
  });
});
