import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { createRedis } from '@floodgate/shared/redis';
import { DEFAULT_WORKER_MAX_OLD_SPACE_MB } from '@floodgate/shared/stack';
import { spawnNodeProcess } from '@floodgate/testkit';
import { readFile } from 'node:fs/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
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
    const prefix = ctx.newPrefix();
    const worker = await spawnNodeProcess(appEntry('worker'), {
      REDIS_URL: ctx.redisUrl,
      QUEUE_PREFIX: prefix,
      WORKER_CONCURRENCY: `page-extract=${concurrency}`,
      WORKER_METRICS_PORT: '0',
      // The site is on loopback, which SSRF protection refuses by default.
      PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'true',
      // The heap limit pm2 gives every worker process (ecosystem.config.js), so the RSS rows measure it as shipped.
      NODE_OPTIONS: `--max-old-space-size=${DEFAULT_WORKER_MAX_OLD_SPACE_MB}`,
    });
    const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
    const queue = new Queue('page-extract', { connection, prefix });
    let peakActive = 0;
    let peakRssMb = 0;
    // RSS while the process holds its full concurrency of waiting jobs: the figure the budget is for.
    let holdingRssMb = 0;
    // Read from outside the worker: scraping its /metrics 10 times a second took about a fifth of its CPU.
    const rss = processMemoryReader(worker.pid);
    const sample = async () => {
      const active = await queue.getActiveCount();
      const { rssMb, peakMb } = await rss();
      peakActive = Math.max(peakActive, active);
      peakRssMb = Math.max(peakRssMb, rssMb, peakMb);
      if (active >= concurrency) holdingRssMb = Math.max(holdingRssMb, rssMb);
    };
    const sampler = setInterval(() => void sample().catch(() => undefined), 100);
    try {
      await fill(queue, jobs, (i) => ({ url: `${site.url}?page=${i}` }), { ...jobOptionsFor(catalog['page-extract']), removeOnComplete: false });
      const startedAt = performance.now();
      await waitForCompleted(queue, jobs, 180_000);
      const perSecond = jobs / ((performance.now() - startedAt) / 1_000);
      await sample();
      const steadyPerSecond = await afterFirstWave(connection, queue, concurrency);
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
          note: "the kernel's high-water mark of the worker's RSS (VmHWM), so a peak between two samples counts too",
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
        {
          scenario: this.name,
          metric: 'jobs/s after the first wave vs concurrency ÷ latency',
          floodgate: steadyPerSecond === null ? null : round(steadyPerSecond),
          baseline: round(concurrency / (delayMs / 1_000)),
          better: 'higher',
          target: null,
          note:
            `from the ${concurrency}th completion to the last, by the jobs' own finishedOn: the rate once the process holds its full ` +
            'concurrency, without the ramp-up (taking the first jobs, opening their connections) the whole-run row includes',
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

/**
 * Jobs per second from the `skip`th completion to the last, read from the
 * completed set's scores (each job's finishedOn, in ms): exact, where polling
 * the count would blur both ends. Null when too few jobs completed to tell.
 */
async function afterFirstWave(redis: Redis, queue: Queue, skip: number): Promise<number | null> {
  const scores = (await redis.zrange(queue.keys.completed!, 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number);
  scores.sort((a, b) => a - b);
  const from = scores[skip - 1];
  const to = scores[scores.length - 1];
  if (from === undefined || to === undefined || to <= from) return null;
  return (scores.length - skip) / ((to - from) / 1_000);
}

/**
 * The current and peak (high-water mark) RSS of process `pid`, from
 * /proc/<pid>/status: the peak is the kernel's own, whatever the sampling misses.
 */
function processMemoryReader(pid: number): () => Promise<{ rssMb: number; peakMb: number }> {
  return async () => {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  };
}
