import type { Redis } from 'ioredis';
import { RedisPolicyError } from '../errors/redis-policy-error';

/**
 * Throws unless Redis can confirm that a write reached its local append-only
 * file (`WAITAOF`, Redis 7.2 and later, with `appendonly yes`): what
 * REDIS_ACK_FSYNC=true promises. Tried for real, not read from a version
 * number, so forks that have the command pass.
 */
export async function checkAofAck(redis: Redis): Promise<void> {
  try {
    // No write on this connection yet: it answers at once when the command exists and the AOF is on.
    await redis.call('WAITAOF', '1', '0', '1000');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const version = /^redis_version:(\S+)/m.exec(await redis.info('server').catch(() => ''))?.[1] ?? 'unknown';
    if (/unknown command/i.test(message)) {
      throw new RedisPolicyError(
        `REDIS_ACK_FSYNC=true needs the WAITAOF command (Redis 7.2 or later), and this Redis (${version}) does not have it. ` +
          'Upgrade Redis, or leave REDIS_ACK_FSYNC unset: a 202 then means Redis holds the job, written to its AOF within about a second.',
        'redis_no_aof_ack',
      );
    }
    if (/appendonly/i.test(message)) {
      throw new RedisPolicyError(
        `REDIS_ACK_FSYNC=true waits for the append-only file, but this Redis (${version}) runs without one. ` +
          'Turn it on (`CONFIG SET appendonly yes`, and in redis.conf) or leave REDIS_ACK_FSYNC unset.',
        'redis_no_aof_ack',
      );
    }
    throw err;
  }
}
