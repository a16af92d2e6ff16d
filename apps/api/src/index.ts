import { once } from 'node:events';
import type { Server } from 'node:http';
import { resolveRedisUrl } from '@floodgate/shared/env';
import { RedisPolicyError } from '@floodgate/shared/errors';
import { createShutdown, signalReady } from '@floodgate/shared/lifecycle';
import { createLogger } from '@floodgate/shared/logger';
import { createMetricsRegistry, metricsPortFor, startMetricsServer } from '@floodgate/shared/metrics';
import { checkEvictionPolicy, createRedis, waitForRedis } from '@floodgate/shared/redis';
import { createApp } from './app';
import { env } from './env';
import { createHttpMetrics } from './metrics/http-metrics';
import { registerQueueMetrics } from './metrics/queue-metrics';
import { closeQueues, createQueues } from './queues';

async function main(): Promise<void> {
  const logger = createLogger({ name: 'api', level: env.LOG_LEVEL });
  const redis = createRedis('producer', { url: resolveRedisUrl(env), logger, connectionName: `floodgate-api-${process.pid}` });
  await waitForRedis(redis);
  try {
    await checkEvictionPolicy(redis);
  } catch (err) {
    if (!(err instanceof RedisPolicyError)) throw err;
    logger.fatal({ err }, 'refusing to start: Redis could lose jobs under its eviction policy');
    redis.disconnect();
    process.exitCode = 1;
    return;
  }

  const shutdown = createShutdown({ logger, graceMs: env.API_SHUTDOWN_GRACE_MS });
  // Steps run in reverse order: stop accepting requests, then close queues, then Redis.
  shutdown.add('redis', () => redis.quit());
  const queues = createQueues(redis, env.QUEUE_PREFIX);
  shutdown.add('queues', () => closeQueues(queues));
  await Promise.all(Object.values(queues).map((queue) => queue.waitUntilReady()));

  const registry = createMetricsRegistry('api');
  const httpMetrics = createHttpMetrics(registry);
  registerQueueMetrics(registry, queues, redis);
  if (env.API_METRICS_PORT > 0) {
    const port = metricsPortFor(env.API_METRICS_PORT, env.NODE_APP_INSTANCE);
    const metricsServer = await startMetricsServer({ registry, host: env.METRICS_HOST, port, logger });
    if (metricsServer) shutdown.add('metrics server', () => new Promise((resolve) => metricsServer.close(resolve)));
  }

  const app = createApp({ queues, redis, logger, bodyLimitBytes: env.API_BODY_LIMIT_BYTES, registry, httpMetrics });
  const server: Server = app.listen(env.API_PORT, env.API_HOST);
  await once(server, 'listening');
  shutdown.add('http server', () => closeServer(server));
  logger.info({ url: `http://${env.API_HOST}:${env.API_PORT}`, prefix: env.QUEUE_PREFIX }, 'api listening');
  signalReady();
}

/** Stops accepting connections, lets in-flight requests finish, and drops idle keep-alive sockets. */
function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  server.closeIdleConnections();
  return closed;
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
