import type { Redis } from 'ioredis';
import { RedisPolicyError } from '../errors/redis-policy-error';
import type { RedisClient } from './create-redis';
import { primaryConnections } from './primaries';

/**
 * Throws unless every primary runs with `maxmemory-policy noeviction`. Under
 * any eviction policy Redis deletes keys when full, and BullMQ jobs vanish
 * without a trace; a full Redis must refuse writes instead, which floodgate
 * turns into back-pressure. In a cluster one evicting master is enough to lose
 * the jobs of the queues it holds, so each is checked.
 */
export async function checkEvictionPolicy(client: RedisClient): Promise<void> {
  for (const { name, redis } of primaryConnections(client)) {
    const policy = await evictionPolicyOf(redis);
    if (policy !== 'noeviction') {
      throw new RedisPolicyError(
        `Redis maxmemory-policy is "${policy ?? 'unknown'}" on ${name}, but floodgate needs "noeviction": ` +
          'under eviction Redis silently deletes queued jobs when memory runs out. ' +
          'Run `CONFIG SET maxmemory-policy noeviction` (and put it in redis.conf) on every primary.',
      );
    }
  }
}

async function evictionPolicyOf(redis: Redis): Promise<string | undefined> {
  // INFO rather than CONFIG GET: managed Redis services often rename or disable CONFIG.
  const info = await redis.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}
