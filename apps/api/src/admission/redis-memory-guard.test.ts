import { createLogger } from '@floodgate/shared/logger';
import { createRedis, waitForRedis } from '@floodgate/shared/redis';
import { startRedis, startTcpFaultProxy, waitFor, type PrivateRedis, type TcpFaultProxy } from '@floodgate/testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisMemoryGuard, type RedisMemoryGuard } from './redis-memory-guard';

describe('redis memory guard', () => {
  let redis: PrivateRedis;
  let proxy: TcpFaultProxy;
  let connection: Redis;
  let direct: Redis;
  let guard: RedisMemoryGuard | undefined;
  const logger = createLogger({ name: 'memory-guard-test', level: 'silent', pretty: false });

  beforeAll(async () => {
    redis = await startRedis({ maxmemory: '8mb' });
    proxy = await startTcpFaultProxy({ target: redis.url });
    connection = createRedis('producer', { url: proxy.url, logger });
    direct = createRedis('producer', { url: redis.url, logger });
    await Promise.all([waitForRedis(connection), waitForRedis(direct)]);
  });
  afterAll(async () => {
    guard?.stop();
    proxy?.resume();
    connection?.disconnect();
    direct?.disconnect();
    await proxy?.close();
    await redis?.stop();
  });

  it('gives up an INFO that gets no answer (stale), and samples again once Redis answers', async () => {
    guard = startRedisMemoryGuard({ redis: connection, high: 0.5, low: 0.4, intervalMs: 50, deadlineMs: 300, logger });
    await waitFor(() => guard?.usage !== undefined, { description: 'a first reading' });
    expect(guard.stale).toBe(false);
    expect(guard.shedding).toBe(false);

    proxy.stall();
    await waitFor(() => guard?.stale, { description: 'the stalled INFO to be given up' });

    // Fill Redis past the high mark while the guard's connection is stalled; then let it through.
    const ballast = 'x'.repeat(100_000);
    for (let i = 0; i < 45; i++) await direct.set(`ballast:${i}`, ballast);
    proxy.resume();
    await waitFor(() => guard?.shedding, { description: 'the guard to see Redis fill' });
    expect(guard.stale).toBe(false);
  });
});
