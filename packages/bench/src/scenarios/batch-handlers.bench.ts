import { availableParallelism } from 'node:os';
import { createMetricsRegistry } from '@floodgate/shared/metrics';
import { createRedis } from '@floodgate/shared/redis';
import { catalog, defineJob, jobOptionsFor, type JobDefinition } from '@floodgate/shared/jobs';
import { createCpuPool, createJobWorker, createCpuBoundHandlers, createWorkerMetrics, type JobHandler } from '@floodgate/worker/runtime';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { fill } from '../support/drain';
import { interleave } from '../support/interleave';
import { median, round } from '../support/stats';

/** A review-sized text: the common case, where the thread hop costs more than the scoring. */
const TEXT = 'The delivery was late and the box was damaged, but support was friendly and the refund came quickly.';

/** sentiment exactly as the catalog has it, minus the batch policy: one job per thread hop. */
const unbatched: JobDefinition = defineJob({
  type: catalog.sentiment.type,
  description: catalog.sentiment.description,
  payload: catalog.sentiment.payload,
  result: catalog.sentiment.result,
  concurrency: catalog.sentiment.concurrency,
  cpuBound: true,
  timeoutMs: catalog.sentiment.timeoutMs,
  attempts: catalog.sentiment.attempts,
});

/**
 * sentiment jobs/s through floodgate's worker with the catalog's batch policy
 * (many texts per thread hop) against the same worker, handler and concurrency
 * without it (one text per hop), draining a pre-filled queue in this process.
 */
export const batchHandlers: Scenario = {
  name: 'batch-handlers',
  title: 'sentiment jobs/s: batches of texts per thread hop vs one job per hop, same worker and concurrency',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const jobs = ctx.size(10_000, 2_000);
    const rounds = ctx.size(3, 1);
    const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
    const pool = createCpuPool({ threads: availableParallelism() });
    const handler = createCpuBoundHandlers(pool).sentiment as JobHandler;
    const definitions = { single: unbatched, batched: catalog.sentiment as JobDefinition };
    let drains: Map<'single' | 'batched', Drain[]>;
    try {
      // A warm-up of 1,000 jobs each, then rounds that alternate which side goes first.
      drains = await interleave(['single', 'batched'] as const, rounds, (side, warmUp) => drainOnce(ctx, connection, definitions[side], handler, warmUp ? 1_000 : jobs), {
        alternateFirst: true,
      });
    } finally {
      await pool.close();
      connection.disconnect();
    }
    const batched = drains.get('batched') ?? [];
    const single = drains.get('single') ?? [];
    const { size, maxWaitMs } = catalog.sentiment.batch ?? { size: 1, maxWaitMs: 0 };
    return [
      {
        scenario: this.name,
        metric: `sentiment jobs/s (${jobs} jobs, concurrency ${catalog.sentiment.concurrency}, batch ${size}/${maxWaitMs} ms, ${availableParallelism()} threads, median of ${rounds})`,
        floodgate: round(median(batched.map((d) => d.jobsPerSecond))),
        baseline: round(median(single.map((d) => d.jobsPerSecond))),
        better: 'higher',
        target: 3,
        note: 'baseline: the same worker and handler without the batch policy (one thread hop per job)',
      },
      {
        scenario: this.name,
        metric: 'sentiment: process CPU µs per job (main thread + pool threads), batches vs one job per hop',
        floodgate: round(median(batched.map((d) => d.cpuUsPerJob))),
        baseline: round(median(single.map((d) => d.cpuUsPerJob))),
        better: 'lower',
        target: 3,
        note:
          'what each job costs the machine, whatever else runs on it: on a shared, loaded machine jobs/s rewards the side with more busy threads ' +
          '(one hop per job keeps every pool thread busy with messaging, so it gets a larger share of the CPU)',
      },
    ];
  },
};

interface Drain {
  jobsPerSecond: number;
  /** process.cpuUsage() (every thread of this process) per job, in microseconds. */
  cpuUsPerJob: number;
}

async function drainOnce(ctx: BenchContext, connection: Redis, definition: JobDefinition, handler: JobHandler, jobs: number): Promise<Drain> {
  const prefix = ctx.newPrefix();
  const queue = new Queue(definition.type, { connection, prefix });
  await fill(queue, jobs, () => ({ text: TEXT }), jobOptionsFor(definition));
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const worker = createJobWorker({
    definition,
    handler,
    connection,
    prefix,
    logger: ctx.logger,
    metrics: createWorkerMetrics(createMetricsRegistry('bench')),
  });
  // Counted by event: retention keeps only the last 1,000 completed jobs in Redis.
  let completed = 0;
  let failed = 0;
  worker.on('completed', () => void completed++);
  worker.on('failed', () => void failed++);
  try {
    const deadline = Date.now() + 300_000;
    while (completed < jobs) {
      if (failed > 0) throw new Error(`${failed} sentiment jobs failed during the benchmark`);
      if (Date.now() > deadline) throw new Error(`only ${completed}/${jobs} sentiment jobs completed in time`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const cpu = process.cpuUsage(cpuBefore);
    return { jobsPerSecond: jobs / ((performance.now() - startedAt) / 1_000), cpuUsPerJob: (cpu.user + cpu.system) / jobs };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}
