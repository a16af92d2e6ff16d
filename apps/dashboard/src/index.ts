import { once } from 'node:events';
import type { Server } from 'node:http';
import { resolveRedisUrl } from '@floodgate/shared/env';
import { closeHttpServer, createShutdown, signalReady } from '@floodgate/shared/lifecycle';
import { createLogger } from '@floodgate/shared/logger';
import { connectAtStartup } from '@floodgate/shared/redis';
import { BOARD_PATH, createApp } from './app';
import { resolveCredentials } from './credentials';
import { env } from './env';
import { closeQueues, createQueues } from './queues';

async function main(): Promise<void> {
  const logger = createLogger({ name: 'dashboard', level: env.LOG_LEVEL });
  // Waits for Redis, then refuses to run (fatal log, exit code 1) unless its maxmemory-policy is noeviction.
  const redis = await connectAtStartup('producer', { url: resolveRedisUrl(env), logger, connectionName: `floodgate-dashboard-${process.pid}` });
  if (!redis) return;

  const shutdown = createShutdown({ logger, graceMs: env.DASHBOARD_SHUTDOWN_GRACE_MS });
  // Steps run in reverse order: stop accepting requests, then close the queues, then Redis.
  shutdown.add('redis', () => redis.quit());
  const queues = createQueues(redis, env.QUEUE_PREFIX);
  shutdown.add('queues', () => closeQueues(queues));
  await Promise.all(Object.values(queues).map((queue) => queue.waitUntilReady()));

  const credentials = resolveCredentials({ user: env.DASHBOARD_USER, password: env.DASHBOARD_PASSWORD });
  const server: Server = createApp({ queues, credentials, logger }).listen(env.DASHBOARD_PORT, env.DASHBOARD_HOST);
  await once(server, 'listening');
  shutdown.add('http server', () => closeHttpServer(server));

  const url = `http://${env.DASHBOARD_HOST}:${env.DASHBOARD_PORT}${BOARD_PATH}`;
  if (credentials.generated) {
    // Logged once, on purpose: it is the only way to learn it. The key is not
    // `password`, which the logger redacts. Set DASHBOARD_PASSWORD to choose one.
    logger.warn({ url, user: credentials.user, generatedPassword: credentials.password }, 'no DASHBOARD_PASSWORD set; generated one for this run');
  }
  logger.info({ url, user: credentials.user, prefix: env.QUEUE_PREFIX }, 'dashboard listening');
  signalReady();
}

main().catch((err: unknown) => {
  process.stderr.write(`dashboard failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
