import { randomUUID } from 'node:crypto';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis, waitForRedis } from '@floodgate/shared/redis';
import { startTcpFaultProxy, type PrivateRedis, type StartRedisOptions, type TcpFaultProxy } from '@floodgate/testkit';
import { eachTestConnection, eachTestOnRedis, redisTestWith } from '@floodgate/testkit/fixtures';
import type { Redis } from 'ioredis';
import type { TestAPI } from 'vitest';
import { closeQueues, createQueues, type JobQueues } from '../redis/queues';

/** What {@link redisConnectionsTestWith}'s tests may ask for, beside the file's `redis` server. */
export interface RedisConnectionsFixtures {
  /** A key prefix of this test's own (`{fg-test-UUID}`), so tests sharing the server share no keys. */
  prefix: string;
  /** A producer connection straight to the file's server, closed after the test. */
  direct: Redis;
  /** A TCP fault proxy in front of the file's server, for this test to stall, cut or refuse; closed after it. */
  proxy: TcpFaultProxy;
  /** A producer connection through {@link RedisConnectionsFixtures.proxy}, ready when the test starts. */
  proxied: Redis;
}

/** The `test` {@link redisConnectionsTestWith} makes (spelled out: its server's type lives in testkit's sources). */
export type RedisConnectionsTest = TestAPI<{ redis: PrivateRedis } & RedisConnectionsFixtures>;

const logger = createLogger({ name: 'redis-connections-test', level: 'silent', pretty: false });

/** A producer connection to `url` once it answers, handed to `use` and disconnected after (for a fixture). */
export async function connectionFor(url: string, use: (connection: Redis) => Promise<void>): Promise<void> {
  const connection = createRedis('producer', { url, logger });
  await waitForRedis(connection);
  await use(connection);
  connection.disconnect();
}

/**
 * `redisTestWith(options)` (one private server per file, started by the first
 * test that asks) with per-test connections to it: each test that asks gets its
 * own prefix, connections and fault proxy, so what it stalls, cuts or patches
 * is gone when it ends, and it runs alone (`vitest -t`) or in any order.
 */
export function redisConnectionsTestWith(options: StartRedisOptions): RedisConnectionsTest {
  return redisTestWith(options).extend<RedisConnectionsFixtures>({
    // eslint-disable-next-line no-empty-pattern
    prefix: async ({}, use) => use(`{fg-test-${randomUUID()}}`),
    direct: eachTestConnection((url) => createRedis('producer', { url, logger })),
    proxy: eachTestOnRedis((redis) => startTcpFaultProxy({ target: redis.url }), (proxy) => proxy.close()),
    proxied: ({ proxy }, use) => connectionFor(proxy.url, use),
  });
}

/** {@link redisConnectionsTestWith} a server with the defaults. */
export const redisConnectionsTest: RedisConnectionsTest = redisConnectionsTestWith({});

/** The API's queues on `connection` under `prefix`, once ready, handed to `use` and closed after (for a fixture). */
export async function queuesOn(connection: Redis, prefix: string, use: (queues: JobQueues) => Promise<void>): Promise<void> {
  const queues = createQueues(connection, prefix);
  await queues.compute.waitUntilReady();
  await use(queues);
  await closeQueues(queues);
}
