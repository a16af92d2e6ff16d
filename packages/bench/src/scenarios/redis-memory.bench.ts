import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { createMetricsRegistry } from '@floodgate/shared/metrics';
import { createRedis } from '@floodgate/shared/redis';
import { createJobWorker, createWorkerMetrics } from '@floodgate/worker/runtime';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import Sentiment from 'sentiment';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { fill, waitForCompleted } from '../support/drain';
import { round } from '../support/stats';

const TEXT = 'The room was clean, the view superb, but breakfast was cold and the staff rude.';

/**
 * Redis bytes per retained completed sentiment job: enqueued with the
 * catalog's options and run through floodgate's worker (result, BullMQ
 * metrics, processedBy) against the same job added and processed by raw BullMQ
 * with default options. `used_memory` is read before and after each side.
 */
export const redisMemory: Scenario = {
  name: 'redis-memory',
  title: 'Redis bytes per retained completed job: floodgate vs raw BullMQ',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const jobs = ctx.size(5_000, 1_000);
    const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
    try {
      const floodgate = await bytesPerJob(ctx, connection, jobs, 'floodgate');
      const raw = await bytesPerJob(ctx, connection, jobs, 'raw');
      return [
        {
          scenario: this.name,
          metric: `bytes per retained completed job (${jobs} sentiment jobs)`,
          floodgate: round(floodgate),
          baseline: round(raw),
          better: 'lower',
          target: 0.8,
          note: 'lower is better; retention (count and age per type) bounds how many are kept',
        },
      ];
    } finally {
      connection.disconnect();
    }
  },
};

async function bytesPerJob(ctx: BenchContext, connection: Redis, jobs: number, side: 'floodgate' | 'raw'): Promise<number> {
  const prefix = ctx.newPrefix();
  const queue = new Queue('sentiment', { connection, prefix });
  const before = await usedMemory(connection);
  const sentiment = new Sentiment();
  const worker =
    side === 'floodgate'
      ? createJobWorker({
          definition: catalog.sentiment,
          handler: { type: 'sentiment', run: async (data) => analyze(sentiment, (data as { text: string }).text) },
          connection,
          prefix,
          logger: ctx.logger,
          metrics: createWorkerMetrics(createMetricsRegistry('bench')),
        })
      : new Worker('sentiment', async (job) => analyze(sentiment, (job.data as { text: string }).text), { connection, prefix });
  // Keep them all, so the count of retained jobs is known.
  const opts = side === 'floodgate' ? { ...jobOptionsFor(catalog.sentiment), removeOnComplete: false } : {};
  await fill(queue, jobs, () => ({ text: TEXT }), opts);
  await waitForCompleted(queue, jobs);
  await worker.close();
  const bytes = (await usedMemory(connection)) - before;
  await queue.obliterate({ force: true });
  await queue.close();
  return bytes / jobs;
}

function analyze(sentiment: Sentiment, text: string) {
  const { score, comparative, positive, negative, tokens } = sentiment.analyze(text);
  return { score, comparative, positive, negative, tokens: tokens.length };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
}
