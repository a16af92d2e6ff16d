import { RedisPolicyError } from '../errors/redis-policy-error';
import { RedisTopologyError } from '../errors/redis-topology-error';
import { checkAofAck } from './check-aof-ack';
import { checkEvictionPolicy } from './check-eviction-policy';
import { warnWithoutPersistence } from './check-persistence';
import { checkTopology } from './check-topology';
import { createRedis, type CreateRedisOptions, type RedisClient, type RedisRole } from './create-redis';
import { primaryConnections } from './primaries';
import { describeRedisTarget, type RedisTarget } from './redis-target';
import { waitForRedis } from './wait-for-redis';

export interface StartupChecks {
  /** REDIS_ACK_FSYNC: refuse to start unless Redis has `WAITAOF` and an AOF. @defaultValue false */
  ackFsync?: boolean;
}

/**
 * Every process's first step: connect, wait for Redis to answer, check the topology the environment names, refuse a Redis
 * that evicts keys (or lacks what REDIS_ACK_FSYNC needs) on any primary, and warn when one persists nothing. Returns
 * undefined, after logging why and setting exit code 1, when Redis is unusable.
 */
export async function connectAtStartup(
  role: RedisRole,
  options: CreateRedisOptions & {
    /** How long to wait for Redis to answer before giving up with the last error. @defaultValue 30000 */
    timeoutMs?: number;
  },
  checks: StartupChecks = {},
): Promise<RedisClient | undefined> {
  const target: RedisTarget = options.target ?? { topology: 'single', url: options.url };
  const redis = createRedis(role, options);
  try {
    await waitForRedis(redis, options.timeoutMs);
    await checkTopology(redis, target);
    await checkEvictionPolicy(redis);
    if (checks.ackFsync) for (const primary of primaryConnections(redis)) await checkAofAck(primary.redis);
  } catch (err) {
    const message =
      err instanceof RedisPolicyError
        ? err.code === 'redis_eviction_policy'
          ? 'refusing to start: Redis could lose jobs under its eviction policy'
          : 'refusing to start: REDIS_ACK_FSYNC=true, and this Redis cannot confirm writes on disk'
        : err instanceof RedisTopologyError
          ? 'refusing to start: Redis is not the topology configured'
          : 'refusing to start: Redis did not answer';
    options.logger.fatal({ err, redis: describeRedisTarget(target) }, message);
    // Nothing else runs yet: once this connection is gone the process ends with this code.
    redis.disconnect();
    process.exitCode = 1;
    return undefined;
  }
  // Only a warning: not being able to read it must not stop the process either.
  for (const primary of primaryConnections(redis)) {
    await warnWithoutPersistence(primary.redis, options.logger.child({ primary: primary.name })).catch((err: unknown) =>
      options.logger.warn({ err }, 'could not read redis persistence settings'),
    );
  }
  return redis;
}
