import type { Redis } from 'ioredis';
import { RedisPolicyError } from '../errors/redis-policy-error';
import { checkEvictionPolicy } from './check-eviction-policy';
import { createRedis, type CreateRedisOptions, type RedisRole } from './create-redis';
import { waitForRedis } from './wait-for-redis';

/**
 * What every process does first: open its Redis connection, wait until Redis
 * answers (under pm2 the embedded Redis starts alongside), and refuse to run on
 * a Redis that evicts keys. Returns undefined after logging why and setting
 * exit code 1 when the eviction policy is wrong; the caller just returns.
 */
export async function connectAtStartup(role: RedisRole, options: CreateRedisOptions): Promise<Redis | undefined> {
  const redis = createRedis(role, options);
  await waitForRedis(redis);
  try {
    await checkEvictionPolicy(redis);
  } catch (err) {
    if (!(err instanceof RedisPolicyError)) throw err;
    options.logger.fatal({ err }, 'refusing to start: Redis could lose jobs under its eviction policy');
    // Nothing else runs yet: once this connection is gone the process ends with this code.
    redis.disconnect();
    process.exitCode = 1;
    return undefined;
  }
  return redis;
}
