import { catalog, jobTypes } from '@floodgate/shared/jobs';
import { resolveRedisUrl } from '@floodgate/shared/env';
import { closeHttpServer, createShutdown, signalReady } from '@floodgate/shared/lifecycle';
import { createLogger } from '@floodgate/shared/logger';
import { createMetricsRegistry, metricsPortFor, startMetricsServer } from '@floodgate/shared/metrics';
import { connectAtStartup } from '@floodgate/shared/redis';
import { env } from './env';
import { closeHandlers, createHandlers } from './handlers';
import { createWorkerMetrics } from './metrics/worker-metrics';
import { startWorkers } from './start-workers';

/** Time left for the steps after the drain (closing handlers and Redis). */
const CLEANUP_AFTER_DRAIN_MS = 5_000;

async function main(): Promise<void> {
  const logger = createLogger({ name: 'worker', level: env.LOG_LEVEL });
  const redis = await connectAtStartup('worker', { url: resolveRedisUrl(env), logger, connectionName: `floodgate-worker-${process.pid}` });
  if (!redis) return;

  const shutdown = createShutdown({ logger, graceMs: env.WORKER_DRAIN_GRACE_MS + CLEANUP_AFTER_DRAIN_MS });
  // Steps run in reverse order of registration: workers drain first, then handlers close, then Redis.
  shutdown.add('redis', () => redis.quit());
  const handlers = createHandlers({
    pageExtract: {
      maxBytes: env.PAGE_EXTRACT_MAX_BYTES,
      fetchTimeoutMs: env.PAGE_EXTRACT_FETCH_TIMEOUT_MS,
      allowPrivateNetworks: env.PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS,
    },
  });
  shutdown.add('handlers', () => closeHandlers(handlers));
  const registry = createMetricsRegistry('worker');
  const metrics = createWorkerMetrics(registry);
  const running = startWorkers({ connection: redis, prefix: env.QUEUE_PREFIX, handlers, logger, metrics });
  shutdown.add('workers', () => running.close(env.WORKER_DRAIN_GRACE_MS));
  await Promise.all(running.workers.map((worker) => worker.waitUntilReady()));
  if (env.WORKER_METRICS_PORT > 0) {
    const port = metricsPortFor(env.WORKER_METRICS_PORT, env.NODE_APP_INSTANCE);
    const server = await startMetricsServer({ registry, host: env.METRICS_HOST, port, logger });
    if (server) shutdown.add('metrics server', () => closeHttpServer(server));
  }

  logger.info(
    {
      prefix: env.QUEUE_PREFIX,
      types: Object.fromEntries(jobTypes.map((type) => [type, { concurrency: catalog[type].concurrency }])),
      allowPrivateNetworks: env.PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS,
    },
    'worker ready',
  );
  signalReady();
}

main().catch((err: unknown) => {
  // Logger may not exist yet; stderr always does.
  process.stderr.write(`worker failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
