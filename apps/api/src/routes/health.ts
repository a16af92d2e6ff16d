import type { RedisClient } from '@floodgate/shared/redis';
import { redisUnavailable } from '../errors';
import { withRedis } from '../redis/redis-deadline';
import type { HandlersOf } from './route-handlers';

/** Readiness fails when Redis takes longer than this to answer PING. */
const READY_PING_DEADLINE_MS = 500;

/**
 * `/healthz`: the process is up (it never touches Redis, so a Redis outage does
 * not make pm2 or a load balancer restart healthy API processes).
 * `/readyz`: this process can serve, i.e. Redis answers in time.
 */
export function healthHandlers(redis: RedisClient): HandlersOf<'health' | 'ready'> {
  return {
    health: () => ({ status: 200, body: { status: 'ok' } }),
    ready: async () => {
      try {
        await withRedis(redis, () => redis.ping(), READY_PING_DEADLINE_MS);
      } catch (err) {
        throw redisUnavailable(err);
      }
      return { status: 200, body: { status: 'ready' } };
    },
  };
}
