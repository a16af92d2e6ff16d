import { randomUUID } from 'node:crypto';
import type { TrustProxy } from '@floodgate/shared/env';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis, waitForRedis } from '@floodgate/shared/redis';
import { startRedis, type PrivateRedis } from '@floodgate/testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app';
import { closeQueues, createQueues, type DashboardQueues } from './queues';
import { postLogin, recordingLogger, serve } from './testing/serve';

/**
 * The address a failed login counts against (the back-off) and is logged
 * with, behind a reverse proxy: X-Forwarded-For is read only from a trusted
 * proxy (TRUST_PROXY), over real HTTP.
 */
describe('the dashboard behind a reverse proxy', () => {
  const silent = createLogger({ name: 'dashboard-test', level: 'silent', pretty: false });
  let redis: PrivateRedis;
  let connection: Redis;
  let queues: DashboardQueues;

  beforeAll(async () => {
    redis = await startRedis();
    connection = createRedis('producer', { url: redis.url, logger: silent });
    await waitForRedis(connection);
    queues = createQueues(connection, `{fg-test-${randomUUID()}}`);
  });

  afterAll(async () => {
    await closeQueues(queues);
    connection.disconnect();
    await redis.stop();
  });

  /** The address the dashboard logged for one failed login sent with `X-Forwarded-For: forwardedFor`. */
  async function failedLoginAddress(trustProxy: TrustProxy | undefined, forwardedFor: string): Promise<unknown> {
    const { logger, lines } = recordingLogger();
    const app = createApp({
      queues,
      redis: connection,
      prefix: 'unused',
      admin: { user: 'admin', password: 'correct horse battery staple' },
      viewer: { user: 'viewer', password: 'just looking, thank you' },
      sessionSecret: 'a session secret of well over thirty-two characters',
      logger,
      ...(trustProxy === undefined ? {} : { trustProxy }),
    });
    const served = await serve(app);
    try {
      const res = await postLogin(served.url, { user: 'admin', password: 'wrong' }, { origin: served.url, 'x-forwarded-for': forwardedFor });
      expect(res.status).toBe(401);
    } finally {
      await served.close();
    }
    return lines.find((line) => line.msg === 'dashboard login failed')?.fields.ip;
  }

  it('counts failed logins against the peer unless the proxy is trusted', async () => {
    expect(await failedLoginAddress(undefined, '203.0.113.7')).toBe('127.0.0.1');
    expect(await failedLoginAddress(false, '203.0.113.7')).toBe('127.0.0.1');
    expect(await failedLoginAddress(['loopback'], '198.51.100.9, 203.0.113.7')).toBe('203.0.113.7');
    expect(await failedLoginAddress(1, '198.51.100.9, 203.0.113.7')).toBe('203.0.113.7');
  });
});
