import { once } from 'node:events';
import type { Server } from 'node:http';
import { loadApiKeys } from '@floodgate/shared/api-keys';
import { logEnvNotes, resolveRedisTarget } from '@floodgate/shared/env';
import { closeHttpServer, createShutdown, signalReady, startHealthThread, type HealthThread } from '@floodgate/shared/lifecycle';
import { createLogger, type Logger } from '@floodgate/shared/logger';
import { createMetricsRegistry, metricsPortFor, startMetricsServer } from '@floodgate/shared/metrics';
import { openPartitionedQueues } from '@floodgate/shared/queues';
import { loadProxyList } from '@floodgate/shared/proxies';
import { connectAtStartup, createRedis } from '@floodgate/shared/redis';
import { startTracing } from '@floodgate/shared/tracing';
import { startAdmission } from './admission/start-admission';
import { createApiServer } from './api-server';
import { createApiListener, fairnessOf } from './app';
import { createAofAck } from './durability/aof-ack';
import { createAuthenticator, keysById } from './auth/authenticator';
import { env, envNotes } from './env';
import { createJobWaiter } from './waiting/job-waiter';
import { createHttpMetrics } from './metrics/http-metrics';
import { registerQueueMetrics } from './metrics/queue-metrics';
import { startOverviewSampler } from './overview/overview-sampler';
import { closeQueues } from './redis/queues';

/**
 * A whole API process: Redis, the catalog's queues, admission, the waiter, the
 * HTTP server, then `ready` for pm2. On SIGINT/SIGTERM it answers what is in
 * flight and closes within API_SHUTDOWN_GRACE_MS.
 */
export async function runApiProcess(): Promise<void> {
  const logger = createLogger({ name: 'api', level: env.LOG_LEVEL });
  logEnvNotes(logger, envNotes);
  // Before Redis: the probe says the process lives while it waits for Redis too.
  const health = await startLivenessProbe(logger);
  const tracing = await startTracing(env, { defaultServiceName: 'floodgate-api', logger });
  const target = resolveRedisTarget(env);
  const redis = await connectAtStartup('producer', { target, logger, connectionName: `floodgate-api-${process.pid}` }, { ackFsync: env.REDIS_ACK_FSYNC });
  if (!redis) {
    await health?.stop();
    return;
  }

  const shutdown = createShutdown({ logger, graceMs: env.API_SHUTDOWN_GRACE_MS });
  // Registered first, so it stops last: alive is what the process is until it exits.
  if (health) shutdown.add('liveness probe', () => health.stop());
  // Steps run in reverse order: stop accepting requests, then close queues, then Redis, then export the last spans.
  if (tracing) shutdown.add('tracing', () => tracing.shutdown());
  shutdown.add('redis', () => redis.quit());
  // Partitions left over from a larger QUEUE_PARTITIONS are opened too, so their jobs are still found and counted;
  // those another process's larger QUEUE_PARTITIONS adds later are counted, paused and found here too.
  const { queues, stopFollowing } = await openPartitionedQueues({
    redis,
    env,
    logger,
    raiseMark: true,
    queueOptions: { eventsMaxLen: env.API_EVENTS_MAX_LEN, telemetry: tracing?.telemetry },
  });
  shutdown.add('queues', () => closeQueues(queues));
  shutdown.add('partition watch', stopFollowing);
  await Promise.all(Object.values(queues).map((queue) => queue.waitUntilReady()));

  const registry = createMetricsRegistry('api');
  const httpMetrics = createHttpMetrics(registry);
  registerQueueMetrics(registry, queues, redis);
  if (env.API_METRICS_PORT > 0) {
    const port = metricsPortFor(env.API_METRICS_PORT, env.NODE_APP_INSTANCE);
    const metricsServer = await startMetricsServer({ registry, host: env.METRICS_HOST, port, logger });
    if (metricsServer) shutdown.add('metrics server', () => closeHttpServer(metricsServer));
  }

  const { admission, stop: stopAdmission } = startAdmission({
    redis,
    queues,
    prefix: env.QUEUE_PREFIX,
    logger,
    limits: {
      rateLimitPerSecond: env.API_RATE_LIMIT,
      backlogCap: env.API_BACKLOG_CAP,
      redisMemoryHigh: env.API_REDIS_MEMORY_HIGH,
      redisMemoryLow: env.API_REDIS_MEMORY_LOW,
      maxEventLoopDelayMs: env.API_MAX_EVENT_LOOP_DELAY_MS,
    },
  });
  shutdown.add('admission guards', stopAdmission);
  const overview = startOverviewSampler({ redis, queues, prefix: env.QUEUE_PREFIX, httpMetrics, logger, flushEveryMs: env.OVERVIEW_FLUSH_MS });
  shutdown.add('overview figures', () => overview.stop());

  // A worker-role connection: the subscribers block on XREAD and must wait out a failover, not fail.
  const eventsConnection = createRedis('worker', { target, logger, connectionName: `floodgate-api-events-${process.pid}` });
  shutdown.add('events connection', () => eventsConnection.quit());
  const waiter = createJobWaiter({ connection: eventsConnection, queues, logger });
  shutdown.add('job waiter', () => waiter.close());

  const keys = loadApiKeys({ json: env.API_KEYS, file: env.API_KEYS_FILE });
  if (env.AUTH_DISABLED) {
    logger.warn('AUTH_DISABLED=true: EVERY REQUEST IS ALLOWED WITHOUT AN API KEY. Local development only; never expose this API.');
  } else if (keys.length === 0) {
    logger.warn({ file: env.API_KEYS_FILE }, 'no API keys are configured: every /v1 request will get 401. Create one with `npm run keys:create -- --scopes admin`.');
  } else {
    logger.info({ keys: keys.length }, 'API keys loaded');
  }
  const { listener } = createApiListener({
    auth: createAuthenticator({ keys: keysById(keys), disabled: env.AUTH_DISABLED }),
    queues,
    redis,
    prefix: env.QUEUE_PREFIX,
    logger,
    admission,
    waiter,
    bodyLimitBytes: env.API_BODY_LIMIT_BYTES,
    bulkMaxJobs: env.API_BULK_MAX_JOBS,
    idempotencyTtlSeconds: env.IDEMPOTENCY_TTL,
    replicationAck: { replicas: env.REDIS_ACK_REPLICAS, timeoutMs: env.REDIS_ACK_TIMEOUT_MS },
    ...(env.REDIS_ACK_FSYNC ? { aofAck: createAofAck(redis) } : {}),
    fetchTargetPolicy: { allowPrivateNetworks: env.PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS },
    proxies: loadProxyList({ list: env.FETCH_PROXIES, file: env.FETCH_PROXIES_FILE }),
    registry,
    httpMetrics,
    tracing,
    fairness: fairnessOf({ fair: env.QUEUE_FAIRNESS, tenantBacklogCaps: env.API_TENANT_BACKLOG_CAP, backlogCaps: env.API_BACKLOG_CAP }),
    trustProxy: env.TRUST_PROXY,
  });
  // A deep accept queue: a burst of thousands of connections (waiters, a flood)
  // waits in the kernel instead of being dropped into SYN retransmits.
  const server: Server = createApiServer(listener).listen({ port: env.API_PORT, host: env.API_HOST, backlog: 4_096 });
  await once(server, 'listening');
  shutdown.add('http server', () => closeHttpServer(server));
  // Runs before the server closes: a `?wait=` request answers 202 with its job's id now, not a reset
  // connection when the grace runs out; an events stream ends and its client reconnects elsewhere.
  shutdown.add('waiting requests', () => waiter.release());
  logger.info({ url: `http://${env.API_HOST}:${env.API_PORT}`, prefix: env.QUEUE_PREFIX }, 'api listening');
  signalReady();
}

/**
 * `GET /healthz` on API_HEALTH_PORT + instance, answered by a thread of its own
 * (startHealthThread). Like the metrics port, a side show: a taken port is
 * logged and the API runs on without it.
 */
async function startLivenessProbe(logger: Logger): Promise<HealthThread | undefined> {
  if (env.API_HEALTH_PORT === 0) return undefined;
  const port = metricsPortFor(env.API_HEALTH_PORT, env.NODE_APP_INSTANCE);
  try {
    const health = await startHealthThread({ port, host: env.METRICS_HOST });
    logger.info({ port: health.port }, 'liveness probe listening (GET /healthz, from a thread of its own)');
    return health;
  } catch (err) {
    logger.warn({ err, port }, 'liveness probe port unavailable; running without it');
    return undefined;
  }
}
