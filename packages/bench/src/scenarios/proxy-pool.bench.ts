import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { createRedis } from '@floodgate/shared/redis';
import { freePort, metricValue, parsePrometheus, spawnNodeProcess, startForwardProxy, type ForwardProxy } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { appEntry } from '../support/app-entry';
import { fill, waitForCompleted } from '../support/drain';
import { startSlowSite, type SlowSite } from '../support/slow-site';
import { round } from '../support/stats';

const EXITS = 3;
/** Jobs in flight in the worker process: the pool's default cap (16 per exit) times the exits, so both sides hold as many. */
const CONCURRENCY = 16 * EXITS;

/**
 * page-extract through the proxy pool (three local forward proxies, with
 * credentials, round-robin; http:// pages go as absolute-form requests) against the same worker fetching
 * the same local pages directly, in the same run. The site answers at once,
 * so the ratio is the cost of the extra hop and the pool's bookkeeping (a
 * slot, a pick, a health write to Redis per request), not of waiting.
 */
export const proxyPool: Scenario = {
  name: 'proxy-pool',
  title: 'page-extract through a pool of 3 local proxies vs direct fetch',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const jobs = ctx.size(6_000, 600);
    const site = await startSlowSite(0);
    const proxies = await Promise.all(Array.from({ length: EXITS }, (_, i) => startForwardProxy({ auth: { username: `bench${i}`, password: 'bench-secret' } })));
    try {
      const direct = await measure(ctx, site, jobs, []);
      const pooled = await measure(ctx, site, jobs, proxies);
      const perExit = proxies.map((proxy) => metricValue(pooled.metrics, 'floodgate_proxy_requests_total', { proxy: proxy.hostPort, outcome: 'ok' }) ?? 0);
      const notOk = parsePrometheus(pooled.metrics)
        .filter((sample) => sample.name === 'floodgate_proxy_requests_total' && sample.labels.outcome !== 'ok')
        .reduce((sum, sample) => sum + sample.value, 0);
      return [
        {
          scenario: this.name,
          metric: `page-extract jobs/s through ${EXITS} proxies vs direct (${jobs} jobs, concurrency ${CONCURRENCY})`,
          floodgate: round(pooled.perSecond),
          baseline: round(direct.perSecond),
          better: 'higher',
          target: 0.5,
          note: `same worker process, same local pages; the proxies (absolute-form requests for these http:// pages, Basic auth) run in the bench process. ${notOk} requests through the pool did not end ok`,
        },
        {
          scenario: this.name,
          metric: 'requests per exit under round-robin, fewest vs most',
          floodgate: Math.min(...perExit),
          baseline: Math.max(...perExit),
          better: 'higher',
          target: 0.9,
          note: `per exit: ${perExit.join(', ')} (from the worker's floodgate_proxy_requests_total)`,
        },
      ];
    } finally {
      await Promise.all(proxies.map((proxy) => proxy.close()));
      await site.close();
    }
  },
};

async function measure(ctx: BenchContext, site: SlowSite, jobs: number, proxies: ForwardProxy[]): Promise<{ perSecond: number; metrics: string }> {
  const prefix = ctx.newPrefix();
  const metricsPort = await freePort();
  const worker = await spawnNodeProcess(appEntry('worker'), {
    REDIS_URL: ctx.redisUrl,
    QUEUE_PREFIX: prefix,
    WORKER_CONCURRENCY: `page-extract=${CONCURRENCY}`,
    WORKER_CPU_THREADS: '1',
    WORKER_METRICS_PORT: String(metricsPort),
    // The site and the proxies are on loopback, which SSRF protection refuses by default.
    PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'true',
    FETCH_PROXIES: proxies.map((proxy) => proxy.url).join(','),
  });
  const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
  const queue = new Queue('page-extract', { connection, prefix });
  try {
    const startedAt = performance.now();
    await fill(queue, jobs, (i) => ({ url: `${site.url}?page=${i}` }), { ...jobOptionsFor(catalog['page-extract']), removeOnComplete: false });
    await waitForCompleted(queue, jobs, 120_000);
    const perSecond = jobs / ((performance.now() - startedAt) / 1_000);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return { perSecond, metrics };
  } finally {
    await worker.stop();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
  }
}
