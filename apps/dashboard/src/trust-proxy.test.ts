import type { TrustProxy } from '@floodgate/shared/env';
import { describe, expect } from 'vitest';
import { createApp } from './app';
import { dashboardTest as test, type DashboardStore } from './testing/dashboard-test';
import { postLogin, recordingLogger, serve } from './testing/serve';

/** The address a dashboard on `store` logged for one failed login sent with `X-Forwarded-For: forwardedFor`. */
async function failedLoginAddressOn({ queues, connection }: DashboardStore, trustProxy: TrustProxy | undefined, forwardedFor: string): Promise<unknown> {
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

/**
 * The address a failed login counts against (the back-off) and is logged
 * with, behind a reverse proxy: X-Forwarded-For is read only from a trusted
 * proxy (TRUST_PROXY), over real HTTP.
 */
describe('the dashboard behind a reverse proxy', () => {
  test('counts failed logins against the peer unless the proxy is trusted', async ({ store }) => {
    expect(await failedLoginAddressOn(store, undefined, '203.0.113.7')).toBe('127.0.0.1');
    expect(await failedLoginAddressOn(store, false, '203.0.113.7')).toBe('127.0.0.1');
    expect(await failedLoginAddressOn(store, ['loopback'], '198.51.100.9, 203.0.113.7')).toBe('203.0.113.7');
    expect(await failedLoginAddressOn(store, 1, '198.51.100.9, 203.0.113.7')).toBe('203.0.113.7');
  });
});
