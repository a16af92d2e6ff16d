import { withinDeadline, type RedisClient } from '@floodgate/shared/redis';
import { isRedisConnectionError, redisTimeout, redisUnavailable } from '../errors';

/** Longest a request waits on Redis before answering 503. @defaultValue 5000 */
export const REDIS_DEADLINE_MS = 5_000;

/**
 * Runs a Redis-backed operation so that a request can never hang on it: refuse
 * at once when the connection is down, cap the wait, and turn connection
 * errors into 503s.
 */
export async function withRedis<T>(redis: RedisClient, operation: () => Promise<T>, deadlineMs = REDIS_DEADLINE_MS): Promise<T> {
  if (redis.status !== 'ready') throw redisUnavailable();
  try {
    return await withinDeadline(operation(), deadlineMs, redisTimeout);
  } catch (err) {
    if (isRedisConnectionError(err)) throw redisUnavailable(err);
    throw err;
  }
}
