import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What of Redis's data survives a restart. */
export interface RedisPersistence {
  /** The append-only file is on (`appendonly yes`). */
  aof: boolean;
  /** RDB snapshot rules (`save`): `off` when none, `unknown` when CONFIG is refused (managed services often rename it). */
  rdb: 'on' | 'off' | 'unknown';
}

/** Reads whether Redis persists anything: INFO for the AOF, `CONFIG GET save` for snapshots. */
export async function readPersistence(redis: Redis): Promise<RedisPersistence> {
  const info = await redis.info('persistence');
  const aof = /^aof_enabled:1\b/m.test(info);
  let rdb: RedisPersistence['rdb'] = 'unknown';
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'save')) as string[];
    rdb = (reply[1] ?? '').trim() === '' ? 'off' : 'on';
  } catch {
    // CONFIG disabled or renamed: snapshots may well be on; say we could not tell.
  }
  return { aof, rdb };
}

/**
 * At start: a warning, not a refusal, when Redis keeps nothing across a
 * restart (a cache-style Redis loses every queued job when it restarts), or
 * only snapshots (it loses what came since the last one). An AOF is what
 * floodgate's own Redis runs with.
 */
export async function warnWithoutPersistence(redis: Redis, logger: Logger): Promise<RedisPersistence> {
  const persistence = await readPersistence(redis);
  if (persistence.aof) return persistence;
  if (persistence.rdb === 'off') {
    logger.warn(persistence, 'redis has no persistence (no AOF, no RDB saves): a Redis restart loses every queued job; turn on appendonly');
  } else if (persistence.rdb === 'on') {
    logger.warn(persistence, 'redis persists by RDB snapshots only: a Redis restart loses the jobs since the last snapshot; turn on appendonly');
  } else {
    logger.warn(persistence, 'redis has no AOF, and its RDB saves could not be read (CONFIG refused): jobs may not survive a Redis restart');
  }
  return persistence;
}
