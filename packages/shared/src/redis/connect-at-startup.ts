import { RedisPolicyError } from '../errors/redis-policy-error';
import { RedisTopologyError } from '../errors/redis-topology-error';
import { checkEvictionPolicy } from './check-eviction-policy';
import { checkTopology } from './check-topology';
import { createRedis, type CreateRedisOptions, type RedisClient, type RedisRole } from './create-redis';
import { describeRedisTarget, type RedisTarget } from './redis-target';
import { waitForRedis } from './wait-for-redis';

/**
 * What every process does first: open its Redis connection, wait until Redis
 * answers (under pm2 the embedded Redis starts alongside), check it is the
 * topology the environment names, and refuse to run on a Redis that evicts
 * keys (every primary is checked). Returns undefined after logging why and
 * setting exit code 1 when Redis is unusable; the caller just returns.
 */
export async function connectAtStartup(
  role: RedisRole,
  options: CreateRedisOptions & {
    /** How long to wait for Redis to answer before giving up with the last error. @defaultValue 30000 */
    timeoutMs?: number;
  },
): Promise<RedisClient | undefined> {
  const target: RedisTarget = options.target ?? { topology: 'single', url: options.url };
  const redis = createRedis(role, options);
  try {
    await waitForRedis(redis, options.timeoutMs);
    await checkTopology(redis, target);
    await checkEvictionPolicy(redis);
  } catch (err) {
    const known = err instanceof RedisPolicyError || err instanceof RedisTopologyError;
    const message = known ? 'refusing to start: Redis could lose jobs or is not the topology configured' : 'refusing to start: Redis did not answer';
    options.logger.fatal({ err, redis: describeRedisTarget(target) }, message);
    // Nothing else runs yet: once this connection is gone the process ends with this code.
    redis.disconnect();
    process.exitCode = 1;
    return undefined;
  }
  return redis;
}
