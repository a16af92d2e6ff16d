import { describe, expect, it } from 'vitest';
import { parseEnv } from '../env/parse-env';
import { LaunchEnv } from './stack-env';

describe('the variables npm start reads', () => {
  it('runs a local topology only when no Redis is given', () => {
    expect(parseEnv(LaunchEnv, { REDIS_TOPOLOGY: 'cluster' }).REDIS_TOPOLOGY).toBe('cluster');
    expect(parseEnv(LaunchEnv, { REDIS_TOPOLOGY: 'cluster', REDIS_URL: '' }).REDIS_TOPOLOGY).toBe('cluster');
    expect(() => parseEnv(LaunchEnv, { REDIS_TOPOLOGY: 'sentinel', REDIS_URL: 'redis://h:1' })).toThrow(/REDIS_TOPOLOGY runs a local Redis/);
  });
});
