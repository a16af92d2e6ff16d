import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { redisOptionsFromUrl } from './redis-url';
import { describeRedisTarget, type RedisTarget } from './redis-target';

/**
 * How a connection behaves while Redis is away. `producer` (API, dashboard) fails fast, with no offline queue and no
 * resend after a reconnect (a resent add could make a second job), so in-flight commands reject and the caller reports
 * an unknown outcome. `worker` waits forever (`maxRetriesPerRequest: null`), as BullMQ Workers require.
 */
export type RedisRole = 'producer' | 'worker';

/** A connection in any topology: one node or sentinel-managed (`Redis`), or a `Cluster`. */
export type RedisClient = Redis | Cluster;

export interface CreateRedisCommonOptions {
  /** Logs connection errors; an unhandled `error` event would crash the process. */
  logger: Logger;
  /** Shown in `CLIENT LIST`, handy when several processes share one Redis. */
  connectionName?: string;
}

export type CreateRedisOptions = CreateRedisCommonOptions &
  (
    | {
        /** Where to connect, in any topology (from `resolveRedisTarget(env)`). */
        target: RedisTarget;
        url?: never;
      }
    | {
        /** Shorthand for a single node: a `redis://` or `rediss://` URL, with optional user, password and db. */
        url: string;
        target?: never;
      }
  );

/** Opens a Redis connection configured for `role`, in the topology `options` names. A URL always gives one node's connection. */
export function createRedis(role: RedisRole, options: CreateRedisCommonOptions & { url: string }): Redis;
export function createRedis(role: RedisRole, options: CreateRedisOptions): RedisClient;
export function createRedis(role: RedisRole, options: CreateRedisOptions): RedisClient {
  const target: RedisTarget = options.target ?? { topology: 'single', url: options.url };
  const redis = open(role, target, options.connectionName);
  const log = options.logger.child({ redis: describeRedisTarget(target), role });
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

function open(role: RedisRole, target: RedisTarget, connectionName: string | undefined): RedisClient {
  const common: RedisOptions = {
    ...roleOptions[role],
    connectionName,
    // Reconnect with a capped back-off: fast first retries, never more than 2 s apart.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    // After a failover the old primary may answer writes with READONLY: reconnect to find the new one. A worker resends
    // (BullMQ's scripts are safe to repeat); a producer never resends blindly, its caller answers 503.
    reconnectOnError: (err) => (/^READONLY/.test(err.message) ? (role === 'worker' ? 2 : true) : false),
  };
  switch (target.topology) {
    case 'single':
      return new Redis({ ...redisOptionsFromUrl(target.url), ...common });
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: target.sentinels,
        name: target.masterName,
        username: target.username,
        password: target.password,
        // Sentinels usually share the data nodes' password; a different one is not supported here.
        sentinelUsername: target.username,
        sentinelPassword: target.password,
        ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
        // Ask the sentinels again as soon as the primary is lost, instead of retrying the dead address.
        failoverDetector: true,
        sentinelRetryStrategy: (times) => Math.min(100 * times, 1_000),
      });
    case 'cluster': {
      const clusterOptions: ClusterOptions = {
        redisOptions: {
          ...common,
          username: target.username,
          password: target.password,
          ...(target.tls ? { tls: {} } : {}),
        },
        // Producers fail fast here too: while a slot has no primary, a command is refused, not parked.
        enableOfflineQueue: role === 'worker',
        enableReadyCheck: true,
        scaleReads: 'master',
        clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
        // While a replica is being promoted the cluster answers CLUSTERDOWN or the
        // node is gone: wait a little and follow the new slot map.
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        retryDelayOnTryAgain: 100,
        slotsRefreshTimeout: 2_000,
        slotsRefreshInterval: 5_000,
      };
      return new Cluster(target.nodes, clusterOptions);
    }
  }
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
