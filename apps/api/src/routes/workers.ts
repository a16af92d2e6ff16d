import { listHeartbeats } from '@floodgate/shared/workers';
import { Router } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import { withRedis } from '../redis-deadline';
import { methodNotAllowed } from './method-not-allowed';

/** `GET /v1/workers`: every live worker process, from the heartbeats in Redis. */
export function workersRouter(redis: RedisClient, prefix: string): Router {
  const router = Router();
  router
    .route('/v1/workers')
    .get(async (_req, res) => {
      const workers = await withRedis(redis, () => listHeartbeats(redis, prefix));
      res.json({ workers });
    })
    .all(methodNotAllowed(['GET']));
  return router;
}
