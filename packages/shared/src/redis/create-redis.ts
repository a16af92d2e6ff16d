import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { redactUrlCredentials } from '../logger/redact-url';
import { redisOptionsFromUrl } from './redis-url';

/**
 * Who holds the connection decides how it behaves while Redis is away:
 * - `producer` (API, dashboard) fails fast: no offline queue, so an outage
 *   becomes a 503 instead of a request that hangs; and it never resends a
 *   command after a reconnect (a resent add could make a second job the
 *   client never hears of): what was in flight when the connection dropped is
 *   rejected at once, and the caller says the outcome is unknown.
 * - `worker` waits for Redis forever (`maxRetriesPerRequest: null`), as BullMQ
 *   Workers require; they resume by themselves when Redis is back.
 */
export type RedisRole = 'producer' | 'worker';

export interface CreateRedisOptions {
  /** Where to connect (`redis://` or `rediss://`, with optional user, password and db). */
  url: string;
  /** Logs connection errors; an unhandled `error` event would crash the process. */
  logger: Logger;
  /** Shown in `CLIENT LIST`, handy when several processes share one Redis. */
  connectionName?: string;
}

/** Opens a Redis connection configured for `role`. */
export function createRedis(role: RedisRole, options: CreateRedisOptions): Redis {
  const redisOptions: RedisOptions = {
    ...redisOptionsFromUrl(options.url),
    ...roleOptions[role],
    connectionName: options.connectionName,
    // Reconnect with a capped back-off: fast first retries, never more than 2 s apart.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
  };
  const redis = new Redis(redisOptions);
  const log = options.logger.child({ redis: redactUrlCredentials(options.url), role });
  let lastLoggedAt = 0;
  redis.on('error', (err: Error) => {
    // During an outage ioredis emits an error per reconnect attempt; one line a
    // few seconds is enough to tell the story.
    const now = Date.now();
    if (now - lastLoggedAt < 5_000) return;
    lastLoggedAt = now;
    log.warn({ err }, 'redis connection error');
  });
  return redis;
}

const roleOptions: Record<RedisRole, RedisOptions> = {
  producer: {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    // 0: flush (reject) the in-flight commands on every close. Without resends, a
    // higher value would leave them pending forever once the connection comes back.
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
  },
  worker: {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
  },
};
