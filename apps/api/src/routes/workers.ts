import { workerListOf } from '@floodgate/shared/workers';
import { Router } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import { redisTimeout } from '../errors';
import { REDIS_DEADLINE_MS, withRedis } from '../redis-deadline';
import { methodNotAllowed } from './method-not-allowed';

/**
 * `GET /v1/workers`: every live worker process, from the heartbeats in Redis,
 * as listed at most a second ago (one listing shared with /v1/queues).
 */
export function workersRouter(redis: RedisClient, prefix: string): Router {
  const router = Router();
  const workers = workerListOf(redis, prefix);
  router
    .route('/v1/workers')
    .get(async (_req, res) => {
      res.json({ workers: await withRedis(redis, () => workers.list({ ms: REDIS_DEADLINE_MS, error: redisTimeout })) });
    })
    .all(methodNotAllowed(['GET']));
  return router;
}
