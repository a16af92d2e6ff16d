import type { Redis } from 'ioredis';
import { RedisPolicyError } from '../errors/redis-policy-error';

/**
 * Throws unless Redis runs with `maxmemory-policy noeviction`. Under any
 * eviction policy Redis deletes keys when full, and BullMQ jobs vanish without
 * a trace; a full Redis must refuse writes instead, which floodgate turns into
 * back-pressure.
 */
export async function checkEvictionPolicy(redis: Redis): Promise<void> {
  // INFO rather than CONFIG GET: managed Redis services often rename or disable CONFIG.
  const info = await redis.info('memory');
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy !== 'noeviction') {
    throw new RedisPolicyError(
      `Redis maxmemory-policy is "${policy ?? 'unknown'}", but floodgate needs "noeviction": ` +
        'under eviction Redis silently deletes queued jobs when memory runs out. ' +
        'Run `CONFIG SET maxmemory-policy noeviction` (and put it in redis.conf).',
    );
  }
}
