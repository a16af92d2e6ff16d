import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EnvError } from '../errors/env-error';
import { StackEnv } from '../stack/stack-env';
import { boolEnv, intEnv } from './coercers';
import { CommonEnv, resolveRedisUrl } from './common-env';
import { parseEnv } from './parse-env';

describe('parseEnv', () => {
  it('fills defaults when variables are unset or blank', () => {
    const env = parseEnv(StackEnv, { API_PORT: '', LOG_LEVEL: '  ' });
    expect(env.API_PORT).toBe(3000);
    expect(env.DASHBOARD_PORT).toBe(3001);
    expect(env.REDIS_PORT).toBe(6390);
    expect(env.QUEUE_PREFIX).toBe('floodgate');
    expect(env.WORKER_INSTANCES).toBe('max');
    expect(env.API_INSTANCES).toBe('auto');
    expect(env.WORKER_MAX_OLD_SPACE_MB).toBe(384);
    expect(env.REDIS_MAXMEMORY).toBe('512mb');
    expect(env.LOG_LEVEL).toBe('info');
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('coerces numbers and the worker instance count', () => {
    const env = parseEnv(StackEnv, { API_PORT: '8080', WORKER_INSTANCES: '3', API_INSTANCES: '4', WORKER_MAX_OLD_SPACE_MB: '1024' });
    expect(env).toMatchObject({ API_PORT: 8080, WORKER_INSTANCES: 3, API_INSTANCES: 4, WORKER_MAX_OLD_SPACE_MB: 1024 });
    // A heap limit too small to start the worker with is refused up front.
    expect(() => parseEnv(StackEnv, { WORKER_MAX_OLD_SPACE_MB: '10' })).toThrow(/WORKER_MAX_OLD_SPACE_MB/);
  });

  it('refuses an API instance count that is neither auto nor 1–64', () => {
    expect(() => parseEnv(StackEnv, { API_INSTANCES: '0' })).toThrow(EnvError);
    expect(() => parseEnv(StackEnv, { API_INSTANCES: 'max' })).toThrow(EnvError);
  });

  it('lists every bad variable in one message', () => {
    let error: unknown;
    try {
      parseEnv(StackEnv, { API_PORT: 'eighty', DASHBOARD_PORT: '70000', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as EnvError).message;
    for (const name of ['API_PORT', 'DASHBOARD_PORT', 'REDIS_URL', 'LOG_LEVEL']) expect(message).toContain(name);
    expect(message).toContain('got "eighty"');
    expect((error as EnvError).code).toBe('invalid_env');
  });

  it('never echoes a secret or URL credentials', () => {
    const schema = z.object({ DASHBOARD_PASSWORD: intEnv(1), REDIS_URL: CommonEnv.shape.REDIS_URL });
    expect(() => parseEnv(schema, { DASHBOARD_PASSWORD: 'hunter2', REDIS_URL: 'http://user:pw@host' })).toThrow(
      /DASHBOARD_PASSWORD.*\*\*\*[\s\S]*REDIS_URL.*\/\/\*\*\*@host/,
    );
  });

  it('reads booleans strictly', () => {
    const schema = z.object({ FLAG: boolEnv(false) });
    expect(parseEnv(schema, { FLAG: 'yes' }).FLAG).toBe(true);
    expect(parseEnv(schema, { FLAG: '0' }).FLAG).toBe(false);
    expect(parseEnv(schema, {}).FLAG).toBe(false);
    expect(() => parseEnv(schema, { FLAG: 'maybe' })).toThrow(/FLAG/);
  });

  it('resolves the Redis URL to the embedded server unless REDIS_URL is set', () => {
    expect(resolveRedisUrl({ REDIS_PORT: 6390, REDIS_URL: undefined })).toBe('redis://127.0.0.1:6390');
    expect(resolveRedisUrl({ REDIS_PORT: 6390, REDIS_URL: 'rediss://h:1' })).toBe('rediss://h:1');
  });
});
