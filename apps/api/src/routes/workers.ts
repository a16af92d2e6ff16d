import { workerListOf } from '@floodgate/shared/workers';
import type { RedisClient } from '@floodgate/shared/redis';
import { redisTimeout } from '../errors';
import { REDIS_DEADLINE_MS, withRedis } from '../redis/redis-deadline';
import type { HandlersOf } from './route-handlers';

/**
 * `GET /v1/workers`: every live worker process, from the heartbeats in Redis,
 * as listed at most a second ago (one listing shared with /v1/queues).
 */
export function workersHandlers(redis: RedisClient, prefix: string): HandlersOf<'listWorkers'> {
  const workers = workerListOf(redis, prefix);
  return {
    listWorkers: async () => ({ status: 200, body: { workers: await withRedis(redis, () => workers.list({ ms: REDIS_DEADLINE_MS, error: redisTimeout })) } }),
  };
}
