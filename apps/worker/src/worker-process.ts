import { availableParallelism } from 'node:os';
import { resolveRedisUrl } from '@floodgate/shared/env';
import { catalog, jobTypes } from '@floodgate/shared/jobs';
import { closeHttpServer, createShutdown, signalReady } from '@floodgate/shared/lifecycle';
import { createLogger } from '@floodgate/shared/logger';
import { createMetricsRegistry, metricsPortFor, startMetricsServer } from '@floodgate/shared/metrics';
import { connectAtStartup } from '@floodgate/shared/redis';
import { createCpuPool, type CpuPool } from './cpu-pool/cpu-pool';
import { env } from './env';
import { closeHandlers, createHandlers, type Handlers } from './handlers';
import { listenForCancels } from './cancel-listener';
import { applyGlobalConcurrency } from './global-concurrency';
import { startHeartbeat } from './heartbeat';
import { createWorkerMetrics } from './metrics/worker-metrics';
import { startWorkers } from './start-workers';

/** Time left for the steps after the drain (heartbeat, handlers, pool, Redis). */
const CLEANUP_AFTER_DRAIN_MS = 5_000;

export interface WorkerProcessOptions {
  /**
   * Replaces handlers after they are built. The worker process itself never
   * uses it; resilience tests do, to run a handler that kills its process.
   */
  overrideHandlers?: (handlers: Handlers) => Handlers;
}

/**
 * A whole worker process: Redis (refusing an evicting one), a CPU pool, one
 * BullMQ Worker per job type, metrics, heartbeat, then `ready` for pm2. On
 * SIGINT/SIGTERM it drains active jobs within WORKER_DRAIN_GRACE_MS.
 */
export async function runWorkerProcess(options: WorkerProcessOptions = {}): Promise<void> {
  const logger = createLogger({ name: 'worker', level: env.LOG_LEVEL });
  const redis = await connectAtStartup('worker', { url: resolveRedisUrl(env), logger, connectionName: `floodgate-worker-${process.pid}` });
  if (!redis) return;

  const shutdown = createShutdown({ logger, graceMs: env.WORKER_DRAIN_GRACE_MS + CLEANUP_AFTER_DRAIN_MS });
  // Steps run in reverse order of registration: workers drain first, Redis closes last.
  shutdown.add('redis', () => redis.quit());
  const cpuPool: CpuPool = createCpuPool({ threads: env.WORKER_CPU_THREADS || availableParallelism() });
  shutdown.add('cpu pool', () => cpuPool.close());
  const built = createHandlers({
    pageExtract: {
      maxBytes: env.PAGE_EXTRACT_MAX_BYTES,
      fetchTimeoutMs: env.PAGE_EXTRACT_FETCH_TIMEOUT_MS,
      allowPrivateNetworks: env.PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS,
    },
    cpuPool,
  });
  const handlers = options.overrideHandlers?.(built) ?? built;
  shutdown.add('handlers', () => closeHandlers(handlers));

  const registry = createMetricsRegistry('worker');
  const metrics = createWorkerMetrics(registry);
  const tuning = {
    lockDurationMs: env.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: env.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: env.WORKER_MAX_STALLED_COUNT,
    concurrency: env.WORKER_CONCURRENCY,
  };
  await applyGlobalConcurrency(redis, env.QUEUE_PREFIX);
  const running = startWorkers({ connection: redis, prefix: env.QUEUE_PREFIX, handlers, logger, metrics, tuning });
  shutdown.add('workers', () => running.close(env.WORKER_DRAIN_GRACE_MS));
  await Promise.all(running.workers.map((worker) => worker.waitUntilReady()));

  if (env.WORKER_METRICS_PORT > 0) {
    const port = metricsPortFor(env.WORKER_METRICS_PORT, env.NODE_APP_INSTANCE);
    const server = await startMetricsServer({ registry, host: env.METRICS_HOST, port, logger });
    if (server) shutdown.add('metrics server', () => closeHttpServer(server));
  }
  const stopCancels = await listenForCancels({ redis, prefix: env.QUEUE_PREFIX, workers: running.byType, logger });
  shutdown.add('cancel listener', stopCancels);
  const stopHeartbeat = startHeartbeat({
    redis,
    prefix: env.QUEUE_PREFIX,
    workers: running.byType,
    metrics,
    cpuThreads: cpuPool.threads,
    intervalMs: env.WORKER_HEARTBEAT_MS,
    logger,
  });
  // Registered last, so it runs first: a stopping process stops saying it is alive.
  shutdown.add('heartbeat', stopHeartbeat);

  logger.info(
    {
      prefix: env.QUEUE_PREFIX,
      types: Object.fromEntries(jobTypes.map((type) => [type, { concurrency: tuning.concurrency[type] ?? catalog[type].concurrency }])),
      cpuThreads: cpuPool.threads,
      lockDurationMs: tuning.lockDurationMs,
      stalledIntervalMs: tuning.stalledIntervalMs,
      allowPrivateNetworks: env.PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS,
    },
    'worker ready',
  );
  signalReady();
}
