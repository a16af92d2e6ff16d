import { availableParallelism, hostname } from 'node:os';
import { logEnvNotes, resolveRedisTarget } from '@floodgate/shared/env';
import { catalog, fairTypes, jobTypes } from '@floodgate/shared/jobs';
import { followPartitionHighWater, partitionCounts, raisePartitionHighWater, type PartitionCounts } from '@floodgate/shared/queues';
import { closeHttpServer, createShutdown, signalReady } from '@floodgate/shared/lifecycle';
import { createLogger, type Logger } from '@floodgate/shared/logger';
import { createMetricsRegistry, metricsPortFor, startMetricsServer } from '@floodgate/shared/metrics';
import { startOverviewRecorder } from '@floodgate/shared/overview';
import { loadProxyList } from '@floodgate/shared/proxies';
import { connectAtStartup } from '@floodgate/shared/redis';
import { startTracing } from '@floodgate/shared/tracing';
import { createCpuPool, type CpuPool } from './cpu-pool/cpu-pool';
import { env, envNotes } from './env';
import { closeHandlers, createHandlers, type Handlers } from './handlers';
import { createPageFetcher } from './page-fetch/page-fetcher';
import { listenForCancels } from './running/cancel-listener';
import { applyGlobalConcurrency } from './workers/global-concurrency';
import { startHeartbeat } from './workers/heartbeat';
import { createWorkerMetrics } from './metrics/worker-metrics';
import { createProxyMetrics } from './proxy-pool/proxy-metrics';
import { ProxyPool } from './proxy-pool/proxy-pool';
import { closeRedis } from './shutdown/close-redis';
import { settlesWithin } from './shutdown/settles-within';
import { startWorkers } from './workers/start-workers';
import { createWorkerReadiness } from './workers/worker-readiness';

/** Time left for the steps besides the drain (heartbeat, handlers, pool, Redis). */
const CLEANUP_AFTER_DRAIN_MS = 5_000;
/** The most any one shutdown step waits on Redis: it may be unreachable, and the drain must still run. */
const REDIS_STEP_MS = 500;

export interface WorkerProcessOptions {
  /**
   * The handler of each catalog type, when the catalog is an app's own
   * (`startWorker`); without it, this repository's built-in handlers, with
   * their CPU pool.
   */
  handlers?: Handlers;
}

/**
 * A whole worker process: Redis (refusing an evicting one), a CPU pool, one
 * BullMQ Worker per job type, metrics, heartbeat, then `ready` for pm2. On
 * SIGINT/SIGTERM it drains active jobs within WORKER_DRAIN_GRACE_MS.
 */
export async function runWorkerProcess(options: WorkerProcessOptions = {}): Promise<void> {
  const logger = createLogger({ name: 'worker', level: env.LOG_LEVEL });
  // Before anything connects: a job that may outlive the drain would be cut at every deploy.
  try {
    refuseTimeoutsPastTheDrain(env.WORKER_DRAIN_GRACE_MS);
  } catch (err) {
    if (!env.WORKER_ALLOW_JOBS_PAST_DRAIN) throw err;
    logger.warn({ err }, 'starting anyway (WORKER_ALLOW_JOBS_PAST_DRAIN): these jobs are cut at each deploy and run again');
  }
  logEnvNotes(logger, envNotes);
  const tracing = await startTracing(env, { defaultServiceName: 'floodgate-worker', logger });
  // Before Redis: a bad list stops the process at once. Its errors name the entry by
  // position and mask credentials, so they are safe to print.
  const proxies = loadProxyList({ list: env.FETCH_PROXIES, file: env.FETCH_PROXIES_FILE });
  // The metrics port answers from before Redis: /healthz says the process runs while it waits
  // for Redis, /readyz that it cannot take jobs yet (and, from the first shutdown step, no more).
  const registry = createMetricsRegistry('worker');
  const readiness = createWorkerReadiness();
  const metricsServer =
    env.WORKER_METRICS_PORT > 0
      ? await startMetricsServer({
          registry,
          host: env.METRICS_HOST,
          port: metricsPortFor(env.WORKER_METRICS_PORT, env.NODE_APP_INSTANCE),
          logger,
          readiness: readiness.probe,
        })
      : undefined;
  const redis = await connectAtStartup('worker', { target: resolveRedisTarget(env), logger, connectionName: `floodgate-worker-${process.pid}` });
  if (!redis) {
    // An open port would keep the process alive: it must end, with the exit code connectAtStartup set.
    if (metricsServer) await closeHttpServer(metricsServer);
    return;
  }

  const shutdown = createShutdown({ logger, graceMs: env.WORKER_DRAIN_GRACE_MS + CLEANUP_AFTER_DRAIN_MS });
  // Registered first, so it closes last: the probes and /metrics answer through the drain.
  if (metricsServer) shutdown.add('metrics server', () => closeHttpServer(metricsServer));
  // Steps run in reverse order of registration: the heartbeat stops first, then the workers
  // drain (cancels still heard), Redis closes, the last spans go out. No step waits on Redis without a bound.
  if (tracing) shutdown.add('tracing', () => tracing.shutdown());
  shutdown.add('redis', () => closeRedis(redis, REDIS_STEP_MS));
  const metrics = createWorkerMetrics(registry);
  // One page fetcher (through the proxy pool, if any) serves every type with `fetchesPages`; with no such type, neither is built.
  const fetchesPages = jobTypes.some((type) => catalog[type].fetchesPages);
  if (!fetchesPages && proxies.length > 0) logger.warn({}, 'FETCH_PROXIES is set, but no job type fetches pages (fetchesPages): the proxies go unused');
  const proxyPool =
    proxies.length === 0 || !fetchesPages
      ? undefined
      : new ProxyPool({
          endpoints: proxies,
          redis,
          prefix: env.QUEUE_PREFIX,
          logger,
          rotation: env.FETCH_PROXY_ROTATION,
          maxConcurrency: env.FETCH_PROXY_MAX_CONCURRENCY,
          blockStatuses: env.FETCH_PROXY_BLOCK_STATUSES,
          cooldownBaseMs: env.FETCH_PROXY_COOLDOWN_BASE_MS,
          cooldownMaxMs: env.FETCH_PROXY_COOLDOWN_MAX_MS,
          ...(env.FETCH_PROXY_HEALTHCHECK_URL
            ? { healthcheck: { url: env.FETCH_PROXY_HEALTHCHECK_URL, intervalMs: env.FETCH_PROXY_HEALTHCHECK_INTERVAL_MS } }
            : {}),
          metrics: createProxyMetrics(registry),
        });
  // Closed after the page fetcher (steps run in reverse), before Redis.
  if (proxyPool) shutdown.add('proxy pool', () => proxyPool.close());
  const pageFetcher = fetchesPages
    ? createPageFetcher({
        policy: { allowPrivateNetworks: env.PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS },
        maxBytes: env.PAGE_EXTRACT_MAX_BYTES,
        fetchTimeoutMs: env.PAGE_EXTRACT_FETCH_TIMEOUT_MS,
        proxyPool,
      })
    : undefined;
  if (pageFetcher) shutdown.add('page fetcher', () => pageFetcher.close());
  // The pool runs the built-in CPU-bound types; an app's own handlers bring what they need.
  const cpuPool: CpuPool | undefined = options.handlers ? undefined : createCpuPool({ threads: env.WORKER_CPU_THREADS || availableParallelism() });
  if (cpuPool) shutdown.add('cpu pool', () => cpuPool.close());
  const handlers = options.handlers ?? createHandlers({ cpuPool: cpuPool as CpuPool });
  shutdown.add('handlers', () => closeHandlers(handlers));

  const tuning = {
    lockDurationMs: env.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: env.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: env.WORKER_MAX_STALLED_COUNT,
    concurrency: env.WORKER_CONCURRENCY,
    tenantConcurrency: env.WORKER_TENANT_CONCURRENCY,
  };
  // Every partition up to the high-water mark is consumed: a smaller QUEUE_PARTITIONS drains the rest.
  const counts = partitionCounts(env.QUEUE_PARTITIONS);
  const partitions = await raisePartitionHighWater(redis, env.QUEUE_PREFIX, counts);
  await applyGlobalConcurrency(redis, env.QUEUE_PREFIX, partitions, counts);
  warnOfDrainingPartitions(logger, counts, partitions);
  const overview = startOverviewRecorder({ redis, prefix: env.QUEUE_PREFIX, source: `worker:${hostname()}:${process.pid}`, flushEveryMs: env.OVERVIEW_FLUSH_MS, logger });
  // Registered before the workers, so it runs after their drain and writes the last jobs' figures.
  // Bounded like every Redis step: figures that cannot be written are only figures.
  shutdown.add('overview figures', () => settlesWithin(overview.stop(), REDIS_STEP_MS));
  const running = startWorkers({
    connection: redis,
    prefix: env.QUEUE_PREFIX,
    handlers,
    logger,
    metrics,
    pageFetcher,
    tuning,
    overview,
    telemetry: tracing?.telemetry,
    partitions,
    taking: counts,
    fairness: fairTypes(env.QUEUE_FAIRNESS),
  });
  await Promise.all(running.workers.map((worker) => worker.waitUntilReady()));
  // Before the workers' step, so it runs after it: cancels keep arriving until the drain ends.
  const stopCancels = await listenForCancels({ redis, prefix: env.QUEUE_PREFIX, workers: running.byType, logger });
  shutdown.add('cancel listener', () => stopCancels(REDIS_STEP_MS));
  shutdown.add('workers', () => running.close(env.WORKER_DRAIN_GRACE_MS));
  // Another process given a larger QUEUE_PARTITIONS raises the mark: its new partitions are consumed here too,
  // once their share of the global concurrency is set (so they never run without it).
  const stopFollowing = followPartitionHighWater({
    redis,
    prefix: env.QUEUE_PREFIX,
    open: partitions,
    everyMs: env.QUEUE_PARTITIONS_CHECK_MS,
    logger,
    onRaise: async (open) => {
      await applyGlobalConcurrency(redis, env.QUEUE_PREFIX, open, counts);
      running.consume(open);
      warnOfDrainingPartitions(logger, counts, open);
    },
  });
  shutdown.add('partition watch', stopFollowing);

  const stopHeartbeat = startHeartbeat({
    redis,
    prefix: env.QUEUE_PREFIX,
    workers: running.byType,
    metrics,
    cpuThreads: cpuPool?.threads ?? 0,
    intervalMs: env.WORKER_HEARTBEAT_MS,
    logger,
  });
  // Registered last, so they run first: a stopping process says it is not ready, then stops saying it is alive.
  shutdown.add('heartbeat', () => stopHeartbeat(REDIS_STEP_MS));
  shutdown.add('readiness', () => readiness.stopping());
  readiness.running(redis, () => running.workers);

  logger.info(
    {
      prefix: env.QUEUE_PREFIX,
      types: Object.fromEntries(
        jobTypes.map((type) => [type, { concurrency: tuning.concurrency[type] ?? catalog[type].concurrency, partitions: partitions[type] }]),
      ),
      cpuThreads: cpuPool?.threads ?? 0,
      lockDurationMs: tuning.lockDurationMs,
      stalledIntervalMs: tuning.stalledIntervalMs,
      allowPrivateNetworks: env.PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS,
      // host:port only: the URLs carry credentials.
      proxies: proxyPool ? { exits: proxies.map((proxy) => proxy.hostPort), rotation: env.FETCH_PROXY_ROTATION } : 'none (direct)',
    },
    'worker ready',
  );
  signalReady();
}

/**
 * Partitions above this process's QUEUE_PARTITIONS run one job at a time each
 * here: right while they drain after a shrink, slow when another process was
 * given a larger count and still feeds them. Said once per change, with the fix.
 */
function warnOfDrainingPartitions(logger: Logger, taking: PartitionCounts, open: PartitionCounts): void {
  const draining = jobTypes.filter((type) => open[type] > taking[type]);
  if (draining.length === 0) return;
  logger.warn(
    { draining: Object.fromEntries(draining.map((type) => [type, { taking: taking[type], open: open[type] }])) },
    'partitions above QUEUE_PARTITIONS run one job at a time each here: if another process was given a larger QUEUE_PARTITIONS, give every process the same; after a shrink, lower the high-water mark once they are empty (docs/operations.md, shrinking partitions)',
  );
}

/**
 * Refuses to start when a type's `timeoutMs` is longer than the drain grace: a
 * deploy (SIGINT) would cut such a job mid-attempt, hand it back and start it
 * over, every time, and pm2's kill_timeout (grace + 10 s) could kill it outright.
 */
export function refuseTimeoutsPastTheDrain(drainGraceMs: number): void {
  const tooLong = jobTypes.filter((type) => catalog[type].timeoutMs > drainGraceMs);
  if (tooLong.length === 0) return;
  const which = tooLong.map((type) => `${type} (timeoutMs ${catalog[type].timeoutMs})`).join(', ');
  throw new Error(
    `job types whose attempts may outlive WORKER_DRAIN_GRACE_MS (${drainGraceMs} ms): ${which}. ` +
      'Raise WORKER_DRAIN_GRACE_MS above the longest timeoutMs (pm2 waits WORKER_DRAIN_GRACE_MS + 10 s before it kills a stopping worker), ' +
      'lower the timeouts, or, when such jobs may be cut at a deploy and run again, set WORKER_ALLOW_JOBS_PAST_DRAIN=true.',
  );
}
