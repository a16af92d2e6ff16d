import { parseEnv } from '@floodgate/shared/env';
import { describe, expect, it } from 'vitest';
import { WorkerEnv } from '../env';

describe('WorkerEnv: proxy settings', () => {
  it('defaults to direct fetching, round-robin, 16 per exit, 403 and 429 as blocks', () => {
    const env = parseEnv(WorkerEnv, {});
    expect([env.FETCH_PROXIES, env.FETCH_PROXIES_FILE, env.FETCH_PROXY_HEALTHCHECK_URL]).toEqual([undefined, undefined, undefined]);
    expect(env).toMatchObject({
      FETCH_PROXY_ROTATION: 'round-robin',
      FETCH_PROXY_MAX_CONCURRENCY: 16,
      FETCH_PROXY_BLOCK_STATUSES: [403, 429],
      FETCH_PROXY_COOLDOWN_BASE_MS: 5_000,
      FETCH_PROXY_COOLDOWN_MAX_MS: 300_000,
      FETCH_PROXY_HEALTHCHECK_INTERVAL_MS: 10_000,
    });
  });

  it('reads the settings', () => {
    expect(
      parseEnv(WorkerEnv, {
        FETCH_PROXIES: 'http://u:p@10.0.0.1:3128',
        FETCH_PROXY_ROTATION: 'lru',
        FETCH_PROXY_BLOCK_STATUSES: ' 403, 429 ,503',
        FETCH_PROXY_HEALTHCHECK_URL: 'https://example.com/health',
      }),
    ).toMatchObject({ FETCH_PROXIES: 'http://u:p@10.0.0.1:3128', FETCH_PROXY_ROTATION: 'lru', FETCH_PROXY_BLOCK_STATUSES: [403, 429, 503] });
  });

  it('refuses nonsense, naming each variable', () => {
    expect(() =>
      parseEnv(WorkerEnv, {
        FETCH_PROXY_ROTATION: 'random',
        FETCH_PROXY_BLOCK_STATUSES: '200,429',
        FETCH_PROXY_HEALTHCHECK_URL: 'ftp://x',
        FETCH_PROXY_MAX_CONCURRENCY: '0',
      }),
    ).toThrow(/FETCH_PROXY_ROTATION[\s\S]*FETCH_PROXY_MAX_CONCURRENCY[\s\S]*FETCH_PROXY_BLOCK_STATUSES[\s\S]*FETCH_PROXY_HEALTHCHECK_URL/);
    expect(() => parseEnv(WorkerEnv, { FETCH_PROXY_COOLDOWN_BASE_MS: '60000', FETCH_PROXY_COOLDOWN_MAX_MS: '1000' })).toThrow(/FETCH_PROXY_COOLDOWN_BASE_MS/);
  });
});
