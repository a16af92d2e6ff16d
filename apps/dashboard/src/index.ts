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
  const redis = await connectAtStartup('producer', { url: resolveRedisUrl(env), logger, connectionName: `floodgate-dashboard-${process.pid}` });
  if (!redis) return;

  const credentials = resolveCredentials(env.DASHBOARD_USER, env.DASHBOARD_PASSWORD);
  if (credentials.generated) {
    // Printed once, on purpose: it is the only way to learn it. Set DASHBOARD_PASSWORD to choose one.
    logger.warn({ user: credentials.user, generatedPassword: credentials.password }, 'no DASHBOARD_PASSWORD set; generated one for this run');
  }

  const shutdown = createShutdown({ logger, graceMs: env.DASHBOARD_SHUTDOWN_GRACE_MS });
  shutdown.add('redis', () => redis.quit());
  const queues = createQueues(redis, env.QUEUE_PREFIX);
  shutdown.add('queues', () => closeQueues(queues));

  const server: Server = createApp({ queues, credentials }).listen(env.DASHBOARD_PORT, env.DASHBOARD_HOST);
  await once(server, 'listening');
  shutdown.add('http server', () => closeHttpServer(server));
  logger.info({ url: `http://${env.DASHBOARD_HOST}:${env.DASHBOARD_PORT}${BOARD_PATH}`, user: credentials.user }, 'dashboard listening');
  signalReady();
}

main().catch((err: unknown) => {
  process.stderr.write(`dashboard failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
