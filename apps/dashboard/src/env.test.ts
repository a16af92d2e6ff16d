import { parseEnv } from '@floodgate/shared/env';
import { describe, expect, it } from 'vitest';
import { DashboardEnv } from './env';

describe('DashboardEnv', () => {
  it('has sane defaults and no password unless one is set', () => {
    const env = parseEnv(DashboardEnv, {});
    expect(env).toMatchObject({
      DASHBOARD_PORT: 3001,
      DASHBOARD_HOST: '127.0.0.1',
      DASHBOARD_USER: 'admin',
      DASHBOARD_SHUTDOWN_GRACE_MS: 5_000,
      QUEUE_PREFIX: '{floodgate}',
    });
    expect(env.DASHBOARD_PASSWORD).toBeUndefined();
    expect(parseEnv(DashboardEnv, { DASHBOARD_PASSWORD: '' }).DASHBOARD_PASSWORD).toBeUndefined();
  });

  it('lists every bad variable together', () => {
    let message = '';
    try {
      parseEnv(DashboardEnv, { DASHBOARD_PORT: '70000', DASHBOARD_USER: 'a:b', LOG_LEVEL: 'loud' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('DASHBOARD_PORT');
    expect(message).toContain('DASHBOARD_USER: must not contain ":"');
    expect(message).toContain('LOG_LEVEL');
  });
});
