import { availableParallelism } from 'node:os';
import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { createRedis } from '@floodgate/shared/redis';
import { freePort, metricValue, spawnNodeProcess, type RunningProcess } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { fill, waitForCompleted } from '../support/drain';
import { appEntry } from '../support/app-entry';
import { round } from '../support/stats';

/** ~2 M dictionary writes: a few hundred milliseconds of CPU per job. */
const PAYLOAD = { n: 200, m: 10_000 };

/**
 * `compute` jobs drained by 1 worker process, then by N (N = cores), each with
 * one pool thread: the speed-up should approach N. Also reports the worker's
 * main-thread event-loop delay p99 while its thread computes.
 */
export const cpuScaling: Scenario = {
  name: 'cpu-scaling',
  title: 'CPU-bound compute jobs: 1 worker process vs one per core',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const cores = availableParallelism();
    const jobs = ctx.size(8 * cores, 2 * cores);
    const one = await drain(ctx, 1, jobs);
    const many = await drain(ctx, cores, jobs);
    return [
      {
        scenario: this.name,
        metric: `jobs/s, ${cores} processes vs 1 (${jobs} jobs of ${PAYLOAD.n}x${PAYLOAD.m})`,
        floodgate: round(many.jobsPerSecond),
        baseline: round(one.jobsPerSecond),
        better: 'higher',
        target: round(0.9 * cores),
        note: `the ratio is the speed-up; the target is 0.9 x ${cores} cores`,
      },
      {
        scenario: this.name,
        metric: 'worker event-loop delay p99 under CPU load, ms',
        floodgate: round(one.eventLoopP99Ms),
        baseline: 50,
        better: 'lower',
        target: 1,
        note: 'baseline column is the 50 ms budget; compute runs on a pool thread, so the main loop stays free',
      },
    ];
  },
};

async function drain(ctx: BenchContext, processes: number, jobs: number) {
  const prefix = ctx.newPrefix();
  const metricsBase = await freePort();
  const workers: RunningProcess[] = [];
  const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
  const queue = new Queue('compute', { connection, prefix });
  try {
    for (let i = 0; i < processes; i++) {
      workers.push(
        await spawnNodeProcess(appEntry('worker'), {
          REDIS_URL: ctx.redisUrl,
          QUEUE_PREFIX: prefix,
          WORKER_METRICS_PORT: String(metricsBase),
          NODE_APP_INSTANCE: String(i),
          // One pool thread per process, so the comparison is of processes, not threads.
          WORKER_CPU_THREADS: '1',
        }),
      );
    }
    const metricsUrl = `http://127.0.0.1:${metricsBase}/metrics`;
    // prom-client resets its event-loop histogram on every scrape: this one starts the window.
    await fetch(metricsUrl);
    const startedAt = performance.now();
    await fill(queue, jobs, () => PAYLOAD, jobOptionsFor(catalog.compute));
    await waitForCompleted(queue, jobs);
    const seconds = (performance.now() - startedAt) / 1_000;
    const lagSeconds = metricValue(await (await fetch(metricsUrl)).text(), 'nodejs_eventloop_lag_p99_seconds') ?? Number.NaN;
    return { jobsPerSecond: jobs / seconds, eventLoopP99Ms: lagSeconds * 1_000 };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
  }
}
