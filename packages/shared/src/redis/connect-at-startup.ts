import type { Redis } from 'ioredis';
import { RedisPolicyError } from '../errors/redis-policy-error';
import { checkAofAck } from './check-aof-ack';
import { checkEvictionPolicy } from './check-eviction-policy';
import { warnWithoutPersistence } from './check-persistence';
import { createRedis, type CreateRedisOptions, type RedisRole } from './create-redis';
import { waitForRedis } from './wait-for-redis';

export interface StartupChecks {
  /** REDIS_ACK_FSYNC: refuse to start unless Redis has `WAITAOF` and an AOF. @defaultValue false */
  ackFsync?: boolean;
}

/**
 * What every process does first: open its Redis connection, wait until Redis
 * answers (under pm2 the embedded Redis starts alongside), refuse to run on a
 * Redis that evicts keys (or lacks what REDIS_ACK_FSYNC needs), and warn when
 * it persists nothing. Returns undefined after logging why and setting exit
 * code 1 when it refuses; the caller just returns.
 */
export async function connectAtStartup(role: RedisRole, options: CreateRedisOptions, checks: StartupChecks = {}): Promise<Redis | undefined> {
  const redis = createRedis(role, options);
  await waitForRedis(redis);
  try {
    await checkEvictionPolicy(redis);
    if (checks.ackFsync) await checkAofAck(redis);
  } catch (err) {
    if (!(err instanceof RedisPolicyError)) throw err;
    options.logger.fatal(
      { err },
      err.code === 'redis_eviction_policy'
        ? 'refusing to start: Redis could lose jobs under its eviction policy'
        : 'refusing to start: REDIS_ACK_FSYNC=true, and this Redis cannot confirm writes on disk',
    );
    // Nothing else runs yet: once this connection is gone the process ends with this code.
    redis.disconnect();
    process.exitCode = 1;
    return undefined;
  }
  // Only a warning: not being able to read it must not stop the process either.
  await warnWithoutPersistence(redis, options.logger).catch((err: unknown) => options.logger.warn({ err }, 'could not read redis persistence settings'));
  return redis;
}
