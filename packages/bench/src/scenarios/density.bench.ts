import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { createRedis } from '@floodgate/shared/redis';
import { freePort, metricValue, spawnNodeProcess } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { appEntry } from '../support/app-entry';
import { fill, waitForCompleted } from '../support/drain';
import { startSlowSite } from '../support/slow-site';
import { round } from '../support/stats';

/** The RSS budget of one worker process holding the target number of waiting jobs. */
const RSS_BUDGET_MB = 400;

/**
 * How many I/O-waiting jobs one worker process holds at once: page-extract
 * jobs against a local site that answers after a fixed delay, with the
 * process's page-extract concurrency raised to the target. Reports the peak of
 * concurrently active jobs, the peak RSS against its budget, and jobs/s against
 * the ideal of concurrency ÷ latency.
 */
export const density: Scenario = {
  name: 'density',
  title: 'Density: concurrently active I/O-waiting jobs in one worker process',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const concurrency = ctx.size(5_000, 1_000);
    const jobs = ctx.size(15_000, 2_000);
    const delayMs = ctx.size(2_000, 500);
    const site = await startSlowSite(delayMs);
    const metricsPort = await freePort();
    const prefix = ctx.newPrefix();
    const worker = await spawnNodeProcess(appEntry('worker'), {
      REDIS_URL: ctx.redisUrl,
      QUEUE_PREFIX: prefix,
      WORKER_CONCURRENCY: `page-extract=${concurrency}`,
      WORKER_METRICS_PORT: String(metricsPort),
      // The site is on loopback, which SSRF protection refuses by default.
      PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
    const queue = new Queue('page-extract', { connection, prefix });
    let peakActive = 0;
    let peakRssMb = 0;
    // RSS while the process holds its full concurrency of waiting jobs: the figure the budget is for.
    let holdingRssMb = 0;
    const sample = async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const active = metricValue(text, 'floodgate_jobs_active', { type: 'page-extract' }) ?? 0;
      const rssMb = (metricValue(text, 'process_resident_memory_bytes') ?? 0) / 2 ** 20;
      peakActive = Math.max(peakActive, active);
      peakRssMb = Math.max(peakRssMb, rssMb);
      if (active >= concurrency) holdingRssMb = Math.max(holdingRssMb, rssMb);
    };
    const sampler = setInterval(() => void sample().catch(() => undefined), 100);
    try {
      await fill(queue, jobs, (i) => ({ url: `${site.url}?page=${i}` }), { ...jobOptionsFor(catalog['page-extract']), removeOnComplete: false });
      const startedAt = performance.now();
      await waitForCompleted(queue, jobs, 180_000);
      const perSecond = jobs / ((performance.now() - startedAt) / 1_000);
      await sample();
      return [
        {
          scenario: this.name,
          metric: `peak concurrently active jobs (${jobs} jobs, each waiting ${delayMs} ms)`,
          floodgate: peakActive,
          baseline: concurrency,
          better: 'higher',
          target: ctx.quick ? null : 1,
          note: 'baseline column is the target concurrency',
        },
        {
          scenario: this.name,
          metric: `worker RSS while holding ${concurrency} waiting jobs, MB`,
          floodgate: holdingRssMb === 0 ? null : round(holdingRssMb),
          baseline: RSS_BUDGET_MB,
          better: 'lower',
          target: 1,
          note: `baseline column is the ${RSS_BUDGET_MB} MB budget`,
        },
        {
          scenario: this.name,
          metric: 'peak worker RSS over the whole run, MB',
          floodgate: round(peakRssMb),
          baseline: RSS_BUDGET_MB,
          better: 'lower',
          target: null,
          note: 'includes the storms when thousands of responses land at once and V8 lets the heap grow before collecting',
        },
        {
          scenario: this.name,
          metric: 'jobs/s vs concurrency ÷ latency',
          floodgate: round(perSecond),
          baseline: round(concurrency / (delayMs / 1_000)),
          better: 'higher',
          target: null,
          note: 'the ideal ignores ramp-up and the fill itself; what is left is per-job cost (fetch, parse, Redis)',
        },
      ];
    } finally {
      clearInterval(sampler);
      await worker.stop();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      connection.disconnect();
      await site.close();
    }
  },
};
