import { createMetricsRegistry } from '@floodgate/shared/metrics';
import { createRedis } from '@floodgate/shared/redis';
import { defineJob } from '@floodgate/shared/jobs';
import { createJobWorker, createWorkerMetrics, type JobHandler } from '@floodgate/worker/runtime';
import { Queue, Worker } from 'bullmq';
import { z } from 'zod';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { fill } from '../support/drain';
import { interleave } from '../support/interleave';
import { median, round } from '../support/stats';

const CONCURRENCY = 50;
const RETENTION = { removeOnComplete: { count: 1_000, age: 3_600 } };

/** A job type that does nothing, run through floodgate's whole pipeline. */
const noopJob = defineJob({
  type: 'noop',
  description: 'Does nothing; measures the runtime around a handler.',
  payload: z.object({ i: z.number().int() }),
  result: z.object({ ok: z.literal(true) }),
  concurrency: CONCURRENCY,
  attempts: 1,
  retention: { completed: { count: 1_000, ageSeconds: 3_600 } },
});
const noopHandler: JobHandler = { type: 'noop', run: async () => ({ ok: true }) };

/**
 * Jobs per second through floodgate's worker (payload validation, deadline,
 * result validation, metrics, BullMQ throughput metrics) against a raw BullMQ
 * Worker at the same concurrency, both draining a pre-filled queue in this process.
 */
export const noopProcessing: Scenario = {
  name: 'noop-processing',
  title: "No-op jobs: floodgate's worker vs a raw BullMQ Worker, same concurrency",
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const jobs = ctx.size(20_000, 3_000);
    const rounds = ctx.size(5, 2);
    const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
    let rates: Map<'raw' | 'floodgate', number[]>;
    try {
      // Warm up both sides (JIT, Redis, connections) on a smaller queue before anything counts, then
      // alternate which side goes first, so warm-up favours neither.
      rates = await interleave(['raw', 'floodgate'] as const, rounds, (side, warmUp) => drainOnce(ctx, connection, warmUp ? Math.min(jobs, 2_000) : jobs, side), {
        alternateFirst: true,
      });
    } finally {
      connection.disconnect();
    }
    return [
      {
        scenario: this.name,
        metric: `jobs/s (${jobs} jobs, concurrency ${CONCURRENCY}, median of ${rounds})`,
        floodgate: round(median(rates.get('floodgate') ?? [])),
        baseline: round(median(rates.get('raw') ?? [])),
        better: 'higher',
        target: 0.95,
      },
    ];
  },
};

async function drainOnce(ctx: BenchContext, connection: ReturnType<typeof createRedis>, jobs: number, side: 'raw' | 'floodgate'): Promise<number> {
  const prefix = ctx.newPrefix();
  const queue = new Queue('noop', { connection, prefix });
  await fill(queue, jobs, (i) => ({ i }), { attempts: 1, ...RETENTION });
  let completed = 0;
  const startedAt = performance.now();
  const worker =
    side === 'raw'
      ? new Worker('noop', async () => ({ ok: true }), { connection, prefix, concurrency: CONCURRENCY, ...RETENTION })
      : createJobWorker({
          definition: noopJob,
          handler: noopHandler,
          connection,
          prefix,
          logger: ctx.logger,
          metrics: createWorkerMetrics(createMetricsRegistry('bench')),
        });
  worker.on('completed', () => void completed++);
  await waitForCompletedCount(() => completed, jobs);
  const seconds = (performance.now() - startedAt) / 1_000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return jobs / seconds;
}

async function waitForCompletedCount(count: () => number, total: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (count() < total) {
    if (Date.now() > deadline) throw new Error(`only ${count()}/${total} no-op jobs completed within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

