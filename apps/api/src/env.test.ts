import { parseEnv } from '@floodgate/shared/env';
import { describe, expect, it } from 'vitest';
import { ApiEnv } from './env';

describe('ApiEnv', () => {
  it('has sane defaults', () => {
    expect(parseEnv(ApiEnv, {})).toMatchObject({
      API_PORT: 3000,
      API_HOST: '127.0.0.1',
      API_BODY_LIMIT_BYTES: 1_048_576,
      API_SHUTDOWN_GRACE_MS: 10_000,
      QUEUE_PREFIX: 'floodgate',
    });
  });

  it('lists every bad variable together', () => {
    let message = '';
    try {
      parseEnv(ApiEnv, { API_PORT: '0', API_BODY_LIMIT_BYTES: 'big', REDIS_URL: 'localhost:6379' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['API_PORT', 'API_BODY_LIMIT_BYTES', 'REDIS_URL']) expect(message).toContain(`- ${name}:`);
  });
});
