import { once } from 'node:events';
import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { logEnvNotes, resolveRedisTarget } from '@floodgate/shared/env';
import { closeHttpServer, createShutdown, signalReady } from '@floodgate/shared/lifecycle';
import { openPartitionedQueues } from '@floodgate/shared/queues';
import { createLogger } from '@floodgate/shared/logger';
import { connectAtStartup } from '@floodgate/shared/redis';
import { BOARD_PATH, createApp, LOGIN_PATH, type DashboardApp } from './app';
import { resolveCredentials, resolveSessionSecret } from './credentials';
import { env, envNotes, secureCookies } from './env';
import { closeQueues } from './queues';

/** A whole dashboard process: Redis, the catalog's queues on Bull Board and the overview, behind its login; then `ready` for pm2. */
export async function runDashboardProcess(): Promise<void> {
  const logger = createLogger({ name: 'dashboard', level: env.LOG_LEVEL });
  logEnvNotes(logger, envNotes);
  // Waits for Redis, then refuses to run (fatal log, exit code 1) unless its maxmemory-policy is noeviction.
  const redis = await connectAtStartup('producer', { target: resolveRedisTarget(env), logger, connectionName: `floodgate-dashboard-${process.pid}` });
  if (!redis) return;

  const shutdown = createShutdown({ logger, graceMs: env.DASHBOARD_SHUTDOWN_GRACE_MS });
  // Steps run in reverse order: stop accepting requests, then close the queues, then Redis.
  shutdown.add('redis', () => redis.quit());
  // Partitions left from a larger QUEUE_PARTITIONS are shown too, while they drain; those another
  // process's larger QUEUE_PARTITIONS adds later appear on the boards and the overview.
  let app: DashboardApp | undefined;
  const { queues, stopFollowing } = await openPartitionedQueues({
    redis,
    env,
    logger,
    raiseMark: false,
    onGrow: () => app?.refreshBoards(),
  });
  shutdown.add('queues', () => closeQueues(queues));
  shutdown.add('partition watch', stopFollowing);
  await Promise.all(Object.values(queues).map((queue) => queue.waitUntilReady()));

  // In production env.ts has already refused to start without strong ones of each.
  const admin = resolveCredentials({ user: env.DASHBOARD_USER, password: env.DASHBOARD_PASSWORD });
  const viewer = resolveCredentials({ user: env.DASHBOARD_VIEWER_USER, password: env.DASHBOARD_VIEWER_PASSWORD });
  const session = resolveSessionSecret(env.DASHBOARD_SESSION_SECRET);
  const secure = secureCookies(env);
  app = createApp({
    queues,
    redis,
    prefix: env.QUEUE_PREFIX,
    admin,
    viewer,
    sessionSecret: session.secret,
    secureCookies: secure,
    trustProxy: env.TRUST_PROXY,
    logger,
  });
  const server: Server = app.listen(env.DASHBOARD_PORT, env.DASHBOARD_HOST);
  await once(server, 'listening');
  shutdown.add('http server', () => closeHttpServer(server));

  const origin = `http://${isIP(env.DASHBOARD_HOST) === 6 ? `[${env.DASHBOARD_HOST}]` : env.DASHBOARD_HOST}:${env.DASHBOARD_PORT}`;
  // Logged once, on purpose: it is the only way to learn a generated password. The key
  // is not `password`, which the logger redacts. Set the variable to choose one.
  if (admin.generated) {
    logger.warn({ login: `${origin}${LOGIN_PATH}`, user: admin.user, generatedPassword: admin.password }, 'no DASHBOARD_PASSWORD set; generated the admin password for this run');
  }
  if (viewer.generated) {
    logger.warn(
      { login: `${origin}${LOGIN_PATH}`, user: viewer.user, generatedPassword: viewer.password },
      'no DASHBOARD_VIEWER_PASSWORD set; generated the read-only viewer password for this run',
    );
  }
  if (session.generated) {
    logger.warn('no DASHBOARD_SESSION_SECRET set; sessions are signed with a key made for this run and end when the dashboard restarts');
  }
  if (!secure && !isLoopback(env.DASHBOARD_HOST)) {
    logger.warn(
      { host: env.DASHBOARD_HOST },
      'the dashboard listens beyond loopback with DASHBOARD_SECURE_COOKIES off: serve it over HTTPS and turn them on, or passwords and session cookies travel in clear text',
    );
  }
  logger.info(
    { url: `${origin}${BOARD_PATH}`, admin: admin.user, viewer: viewer.user, secureCookies: secure, prefix: env.QUEUE_PREFIX },
    'dashboard listening',
  );
  signalReady();
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
