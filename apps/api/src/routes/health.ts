import { Router } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import { redisUnavailable } from '../errors';
import { withRedis } from '../redis-deadline';
import { methodNotAllowed } from './method-not-allowed';

/** Readiness fails when Redis takes longer than this to answer PING. */
const READY_PING_DEADLINE_MS = 500;

/**
 * `/healthz`: the process is up (it never touches Redis, so a Redis outage does
 * not make pm2 or a load balancer restart healthy API processes).
 * `/readyz`: this process can serve, i.e. Redis answers in time.
 */
export function healthRouter(redis: RedisClient): Router {
  const router = Router();
  router.route('/healthz').get((_req, res) => void res.json({ status: 'ok' })).all(methodNotAllowed(['GET']));
  router
    .route('/readyz')
    .get(async (_req, res) => {
      try {
        await withRedis(redis, () => redis.ping(), READY_PING_DEADLINE_MS);
      } catch (err) {
        throw redisUnavailable(err);
      }
      res.json({ status: 'ready' });
    })
    .all(methodNotAllowed(['GET']));
  return router;
}
