import { createLogger, type Logger } from '@floodgate/shared/logger';
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
  // The guard's warnings (warn is all it logs), kept: on one node a reading given up shows nowhere but
  // here, since the decision stays the last one. pino would write them to fd 1, out of the test's reach.
  const warnings: string[] = [];
  const guardLogger = { warn: (_fields: unknown, msg: string) => void warnings.push(msg) } as unknown as Logger;
  const logger = createLogger({ name: 'memory-guard-test', level: 'silent', pretty: false });
  const readingsGivenUp = () => warnings.filter((msg) => msg === 'redis memory reading failed: keeping the last one');

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

  it('gives up an INFO that gets no answer (keeping the last decision), and samples again once Redis answers', async () => {
    // Fill Redis past the high mark first: a decision to shed is what shows the guard has a reading.
    const ballast = 'x'.repeat(100_000);
    for (let i = 0; i < 45; i++) await direct.set(`ballast:${i}`, ballast);
    guard = startRedisMemoryGuard({ redis: connection, high: 0.5, low: 0.4, intervalMs: 50, deadlineMs: 300, logger: guardLogger });
    await waitFor(() => guard?.fullPrimaryFor(undefined) !== undefined, { description: 'the guard to see Redis full' });
    const full = guard.fullPrimaryFor(undefined)!;
    expect(full.maxBytes).toBe(8 * 1024 * 1024);
    expect(full.usedBytes / full.maxBytes).toBeGreaterThanOrEqual(0.5);
    expect(readingsGivenUp()).toEqual([]);

    proxy.stall();
    // Only a deadline ends this INFO: the stalled proxy holds it (and would deliver it on resume) rather than failing it.
    await waitFor(() => readingsGivenUp().length > 0, { description: 'the stalled INFO to be given up' });
    expect(guard.fullPrimaryFor(undefined)).toBeDefined();

    // Empty Redis below the low mark while the guard's connection is stalled; then let it through.
    for (let i = 0; i < 45; i++) await direct.del(`ballast:${i}`);
    proxy.resume();
    await waitFor(() => guard?.fullPrimaryFor(undefined) === undefined, { description: 'the guard to see Redis emptied' });
  });
});
