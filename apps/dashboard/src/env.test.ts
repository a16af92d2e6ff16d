import { parseEnv } from '@floodgate/shared/env';
import { describe, expect, it } from 'vitest';
import { DashboardEnv, secureCookies } from './env';

const strongProduction = {
  NODE_ENV: 'production',
  DASHBOARD_PASSWORD: 'Tq8#vLw2!mZr9pXe',
  DASHBOARD_VIEWER_PASSWORD: 'n4Ki-Gx7u-Pd2s-Hq',
  DASHBOARD_SESSION_SECRET: 'k3X9pQ2vL8mZ4rT7wY1bN6cF5hJ0sD2gA',
};

function messageOf(source: Record<string, string>): string {
  try {
    parseEnv(DashboardEnv, source);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

describe('DashboardEnv', () => {
  it('has sane defaults: loopback only, two users, no passwords or secret unless set', () => {
    const env = parseEnv(DashboardEnv, {});
    expect(env).toMatchObject({
      DASHBOARD_PORT: 3001,
      DASHBOARD_HOST: '127.0.0.1',
      DASHBOARD_USER: 'admin',
      DASHBOARD_VIEWER_USER: 'viewer',
      DASHBOARD_SHUTDOWN_GRACE_MS: 5_000,
      QUEUE_PREFIX: 'floodgate',
    });
    expect(env.DASHBOARD_PASSWORD).toBeUndefined();
    expect(env.DASHBOARD_VIEWER_PASSWORD).toBeUndefined();
    expect(env.DASHBOARD_SESSION_SECRET).toBeUndefined();
    expect(env.DASHBOARD_SECURE_COOKIES).toBeUndefined();
    const blank = parseEnv(DashboardEnv, { DASHBOARD_PASSWORD: '', DASHBOARD_VIEWER_PASSWORD: ' ', DASHBOARD_SESSION_SECRET: '' });
    expect(blank.DASHBOARD_PASSWORD).toBeUndefined();
    expect(blank.DASHBOARD_VIEWER_PASSWORD).toBeUndefined();
    expect(blank.DASHBOARD_SESSION_SECRET).toBeUndefined();
  });

  it('makes cookies Secure in production unless told otherwise, and reads the flag strictly', () => {
    expect(secureCookies(parseEnv(DashboardEnv, {}))).toBe(false);
    expect(secureCookies(parseEnv(DashboardEnv, strongProduction))).toBe(true);
    expect(secureCookies(parseEnv(DashboardEnv, { ...strongProduction, DASHBOARD_SECURE_COOKIES: 'off' }))).toBe(false);
    expect(secureCookies(parseEnv(DashboardEnv, { DASHBOARD_SECURE_COOKIES: 'YES' }))).toBe(true);
    expect(messageOf({ DASHBOARD_SECURE_COOKIES: 'maybe' })).toContain('DASHBOARD_SECURE_COOKIES: expected true/false');
  });

  it('lists every bad variable together', () => {
    const message = messageOf({ DASHBOARD_PORT: '70000', LOG_LEVEL: 'loud', DASHBOARD_SECURE_COOKIES: 'sometimes' });
    expect(message).toContain('DASHBOARD_PORT');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('DASHBOARD_SECURE_COOKIES');
  });

  it('refuses the same name for both users', () => {
    expect(messageOf({ DASHBOARD_USER: 'ops', DASHBOARD_VIEWER_USER: 'ops' })).toContain('DASHBOARD_VIEWER_USER: must differ from DASHBOARD_USER');
  });

  it('starts in production only with strong credentials, naming each weak variable and never its value', () => {
    expect(() => parseEnv(DashboardEnv, strongProduction)).not.toThrow();

    const unset = messageOf({ NODE_ENV: 'production' });
    expect(unset).toContain('DASHBOARD_PASSWORD: is required');
    expect(unset).toContain('DASHBOARD_VIEWER_PASSWORD: is required');
    expect(unset).toContain('DASHBOARD_SESSION_SECRET: is required');

    const weak = { NODE_ENV: 'production', DASHBOARD_PASSWORD: 'changeme', DASHBOARD_VIEWER_PASSWORD: 'viewer', DASHBOARD_SESSION_SECRET: 'short-secret' };
    const message = messageOf(weak);
    expect(message).toMatch(/DASHBOARD_PASSWORD: must be at least 12 characters when NODE_ENV=production/);
    expect(message).toMatch(/DASHBOARD_VIEWER_PASSWORD: must be at least 12 characters/);
    expect(message).toMatch(/DASHBOARD_SESSION_SECRET: must be at least 32 characters/);
    for (const value of ['changeme', 'short-secret']) expect(message).not.toContain(value);

    expect(messageOf({ ...strongProduction, DASHBOARD_PASSWORD: 'Floodgate2025!' })).toMatch(/DASHBOARD_PASSWORD: is a well-known default password/);
    expect(messageOf({ ...strongProduction, DASHBOARD_USER: 'platform-admin', DASHBOARD_PASSWORD: 'platform-admin' })).toMatch(
      /DASHBOARD_PASSWORD: must not equal DASHBOARD_USER/,
    );
  });
});
