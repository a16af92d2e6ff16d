import { newJobId } from '@floodgate/shared/queues';
import type { Job, JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { createClientRateLimiter } from '../admission/client-rate-limiter';
import type { JobQueues } from '../redis/queues';
import { queuesOn, redisConnectionsTest } from '../testing/redis-connections-test';
import { createJobAdder, type Added } from './job-adder';

/** Job options with a fresh API-assigned id, as the pipeline gives every job. */
const withId = (opts: JobsOptions = {}) => ({ ...opts, jobId: newJobId() });

/** The job an add made (it must have made one). */
function jobOf(added: Added): Job {
  if (added.kind !== 'added') throw new Error(`expected a job added, got ${added.kind}`);
  return added.job;
}

/** How many times Redis ran `command` so far (INFO commandstats). */
async function calls(redis: Redis, command: string): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

/**
 * The file's server, and for each test a connection of its own (some patch its
 * `pipeline` to count round trips) with the queues under a prefix of its own.
 */
const test = redisConnectionsTest.extend<{ queues: JobQueues }>({
  queues: ({ direct, prefix }, use) => queuesOn(direct, prefix, use),
});

describe('coalescing against Redis', () => {
  test('tells an idempotent add resent by ioredis (the same call, its answer lost) that it added the job; another request that it was asked before', async ({ direct: redis, queues }) => {
    const adder = createJobAdder(queues, redis);
    const record = { digest: 'd1', owner: 'caller-a', ttlSeconds: 60, nonce: 'request-1' };
    const item = { data: { text: 'once' }, opts: withId(), record };
    expect((await adder.add('sentiment', item)).kind).toBe('added');
    // The very same call again, as ioredis resends it after a dropped connection: its first send stored the job.
    expect((await adder.add('sentiment', item)).kind).toBe('added');
    // A new request with the same id (a client's retry): nothing added, and it is told so.
    expect(await adder.add('sentiment', { ...item, record: { ...record, nonce: 'request-2' } })).toMatchObject({ kind: 'asked-before', digest: 'd1', owner: 'caller-a' });
    expect(await queues.sentiment.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
  });

  test('adds the jobs of one turn in one pipeline (one round trip), each with its own id, data and options', async ({ direct: redis, queues }) => {
    // The real connection, with its pipelines counted.
    let pipelines = 0;
    const pipeline = redis.pipeline.bind(redis);
    redis.pipeline = ((...args: Parameters<typeof pipeline>) => (pipelines++, pipeline(...args))) as typeof redis.pipeline;
    try {
      const adder = createJobAdder(queues, redis);
      const jobs = (
        await Promise.all(Array.from({ length: 25 }, (_, i) => adder.add('sentiment', { data: { text: `job ${i}` }, opts: withId(i === 3 ? { delay: 60_000 } : {}) })))
      ).map(jobOf);
      expect(pipelines).toBe(1);
      expect(new Set(jobs.map((job) => job.id)).size).toBe(25);
      expect((await queues.sentiment.getJob(String(jobs[7]?.id)))?.data).toEqual({ text: 'job 7' });
      expect(await queues.sentiment.getJobState(String(jobs[3]?.id))).toBe('delayed');
      // A request in a later turn is a batch of its own.
      await adder.add('sentiment', { data: { text: 'later' }, opts: withId() });
      expect(pipelines).toBe(2);
    } finally {
      redis.pipeline = pipeline;
    }
  });

  test("gives each job of a batch its own outcome: one bad job fails alone", async ({ direct: redis, queues }) => {
    const adder = createJobAdder(queues, redis);
    const outcomes = await Promise.allSettled([
      adder.add('sentiment', { data: { text: 'first' }, opts: withId() }),
      // BullMQ refuses this one before it reaches Redis.
      adder.add('sentiment', { data: { text: 'bad' }, opts: withId({ priority: 3_000_000 }) }),
      adder.add('sentiment', { data: { text: 'third' }, opts: withId() }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const third = jobOf((outcomes[2] as PromiseFulfilledResult<Added>).value);
    expect((await queues.sentiment.getJob(String(third.id)))?.data).toEqual({ text: 'third' });
  });

  test('adds a bulk of jobs in slices of one pipeline each, every job in order with its own outcome', async ({ direct: redis, queues }) => {
    let pipelines = 0;
    const pipeline = redis.pipeline.bind(redis);
    redis.pipeline = ((...args: Parameters<typeof pipeline>) => (pipelines++, pipeline(...args))) as typeof redis.pipeline;
    try {
      const adder = createJobAdder(queues, redis);
      const items = Array.from({ length: 600 }, (_, i) => ({ data: { text: `bulk ${i}` }, opts: withId(i === 301 ? { priority: 3_000_000 } : {}) }));
      const outcomes = await adder.addAll('sentiment', items);
      // 600 jobs: slices of 250, 250 and 100.
      expect(pipelines).toBe(3);
      expect(outcomes).toHaveLength(600);
      // The one BullMQ refuses fails alone; every other job is stored under its own id, in order.
      expect(outcomes[301]).toBeInstanceOf(Error);
      const stored = outcomes.flatMap((outcome, i) => (outcome instanceof Error ? [] : [[i, outcome] as const]));
      expect(stored).toHaveLength(599);
      for (const [i, added] of stored) expect(jobOf(added).id).toBe(items[i]?.opts.jobId);
      expect((await queues.sentiment.getJob(items[599]?.opts.jobId ?? ''))?.data).toEqual({ text: 'bulk 599' });
      expect(await queues.sentiment.getJob(items[301]?.opts.jobId ?? '')).toBeUndefined();
    } finally {
      redis.pipeline = pipeline;
    }
  });

  test('makes one job of an add sent twice under one id (a resend is a no-op)', async ({ direct: redis, queues }) => {
    const adder = createJobAdder(queues, redis);
    const opts = withId();
    const [first, second] = await Promise.all([adder.add('sentiment', { data: { text: 'once' }, opts }), adder.add('sentiment', { data: { text: 'twice?' }, opts })]);
    expect(jobOf(first).id).toBe(opts.jobId);
    expect(jobOf(second).id).toBe(opts.jobId);
    await adder.add('sentiment', { data: { text: 'thrice?' }, opts });
    expect((await queues.sentiment.getJob(opts.jobId))?.data).toEqual({ text: 'once' });
    const ids = (await queues.sentiment.first.getJobs(['waiting'], 0, -1)).map((job) => job.id);
    expect(ids.filter((id) => id === opts.jobId)).toHaveLength(1);
  });

  test('takes one rate-limit round trip for a turn of single jobs, letting the first ones through', async ({ direct: redis, prefix }) => {
    const limiter = createClientRateLimiter(redis, prefix, { sentiment: 3, compute: 3, 'page-extract': 3 });
    const before = await calls(redis, 'evalsha') + (await calls(redis, 'eval'));
    const decisions = await Promise.all(Array.from({ length: 10 }, () => limiter.takeOne('sentiment', '10.0.0.1')));
    expect((await calls(redis, 'evalsha')) + (await calls(redis, 'eval')) - before).toBe(1);
    // A bucket of twice the rate: 6 pass, and the rest are told when a token returns.
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, true, false, false, false, false]);
    const refused = decisions[9] as { allowed: false; retryAfterMs: number };
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(334);
    // Another client, another bucket; a bulk take is all or nothing.
    expect(await limiter.take('sentiment', '10.0.0.2', 6)).toEqual({ allowed: true });
    expect((await limiter.take('sentiment', '10.0.0.2', 2)).allowed).toBe(false);
  });
});
