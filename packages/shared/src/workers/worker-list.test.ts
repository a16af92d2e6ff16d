import { randomUUID } from 'node:crypto';
import { startTcpFaultProxy, type TcpFaultProxy } from '@floodgate/testkit';
import { eachTestConnection, eachTestOnRedis, redisTest } from '@floodgate/testkit/fixtures';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { createRedis, type RedisClient } from '../redis/create-redis';
import { waitForRedis } from '../redis/wait-for-redis';
import { heartbeatKey } from '../redis/keys';
import { listHeartbeats } from './heartbeat';
import { sampleHeartbeat } from '../test-support/heartbeats.test';
import { createWorkerList, WorkerListTimeout } from './worker-list';

const logger = pino({ level: 'silent' });

/** How many times Redis ran `command` so far (INFO commandstats). */
async function calls(redis: RedisClient, command: string): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

/** SCAN and MGET calls `run` made Redis serve. */
async function counted(redis: RedisClient, run: () => Promise<unknown>): Promise<{ scans: number; mgets: number }> {
  const [scans, mgets] = [await calls(redis, 'scan'), await calls(redis, 'mget')];
  await run();
  return { scans: (await calls(redis, 'scan')) - scans, mgets: (await calls(redis, 'mget')) - mgets };
}

const WORKERS = 1_000;

/** The heartbeats the tests list, written once for the file and only read: their prefix, and what one listing costs. */
interface Listed {
  prefix: string;
  /** SCANs one full listing costs: a walk of the whole keyspace, COUNT 200 at a time. */
  scansPerListing: number;
}

const test = redisTest.extend<{
  listed: Listed;
  /** Straight to Redis: writes, counts. */
  direct: RedisClient;
  /** Each test's own fault proxy in front of the file's Redis, which it may stall. */
  proxy: TcpFaultProxy;
  /** Through the fault proxy, which can stall it. */
  proxied: RedisClient;
}>({
  listed: [
    async ({ redis }, use) => {
      const writer = createRedis('producer', { url: redis.url, logger });
      await waitForRedis(writer);
      const prefix = `{fg-list-${randomUUID()}}`;
      // Enough keys that one listing takes several SCANs, so a walk that goes on can be told from one that stopped.
      const pipeline = writer.pipeline();
      for (let i = 0; i < WORKERS; i++) pipeline.set(heartbeatKey(prefix, `w:${i}`), JSON.stringify(sampleHeartbeat(`w:${i}`)), 'PX', 600_000);
      await pipeline.exec();
      const once = await counted(writer, () => listHeartbeats(writer, prefix));
      writer.disconnect();
      expect(once.scans).toBeGreaterThanOrEqual(5);
      await use({ prefix, scansPerListing: once.scans });
    },
    { scope: 'file' },
  ],
  direct: eachTestConnection((url) => createRedis('producer', { url, logger })),
  proxy: eachTestOnRedis((redis) => startTcpFaultProxy({ target: redis.url }), (proxy) => proxy.close()),
  proxied: async ({ proxy }, use) => {
    const proxied = createRedis('producer', { url: proxy.url, logger });
    await waitForRedis(proxied);
    await use(proxied);
    proxied.disconnect();
  },
});

/**
 * The first test that asks for the heartbeats writes them: seconds on a busy machine.
 * Given to each test: one made by `test.extend` does not take its describe's timeout (vitest 3.2).
 */
const writesHeartbeats = { timeout: 30_000 };

describe('the shared worker list', () => {
  test('answers concurrent callers with one listing, and later ones from it until it is maxAgeMs old', writesHeartbeats, async ({ direct, listed: { prefix, scansPerListing } }) => {
    const list = createWorkerList(direct, prefix, { maxAgeMs: 600_000 });
    const cost = await counted(direct, async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => list.list()));
      for (const answer of answers) expect(answer).toHaveLength(WORKERS);
      for (let i = 0; i < 20; i++) expect(await list.list()).toHaveLength(WORKERS);
    });
    // 40 callers, one walk.
    expect(cost).toEqual({ scans: scansPerListing, mgets: 1 });

    // Kept for no time: each caller after a listing ended makes a new one; those that overlap still share.
    const fresh = createWorkerList(direct, prefix, { maxAgeMs: 0 });
    const again = await counted(direct, async () => {
      await fresh.list();
      await fresh.list();
      await Promise.all([fresh.list(), fresh.list(), fresh.list()]);
    });
    expect(again).toEqual({ scans: 3 * scansPerListing, mgets: 3 });
  });

  test('stops walking once every caller has given up, and the next caller lists afresh', writesHeartbeats, async ({ direct, proxy, proxied, listed: { prefix } }) => {
    const list = createWorkerList(proxied, prefix, { maxAgeMs: 0 });
    const cost = await counted(direct, async () => {
      proxy.stall();
      try {
        // The first SCAN is held by the silent network until the caller's deadline passes.
        await expect(list.list({ ms: 100 })).rejects.toBeInstanceOf(WorkerListTimeout);
      } finally {
        proxy.resume();
      }
      await list.settled();
    });
    // The held SCAN reached Redis when the network came back; nothing after it did.
    expect(cost).toEqual({ scans: 1, mgets: 0 });
    expect(await list.list()).toHaveLength(WORKERS);
  });

  test('goes on for the callers still waiting when one gives up', writesHeartbeats, async ({ direct, proxy, proxied, listed: { prefix, scansPerListing } }) => {
    const list = createWorkerList(proxied, prefix, { maxAgeMs: 0 });
    const cost = await counted(direct, async () => {
      proxy.stall();
      const patient = list.list({ ms: 60_000 });
      try {
        await expect(list.list({ ms: 100 })).rejects.toThrow(/took over 100 ms/);
      } finally {
        proxy.resume();
      }
      expect(await patient).toHaveLength(WORKERS);
    });
    expect(cost).toEqual({ scans: scansPerListing, mgets: 1 });
  });

  test("answers with the caller's own error when its deadline passes", writesHeartbeats, async ({ proxy, proxied, listed: { prefix } }) => {
    const list = createWorkerList(proxied, prefix);
    proxy.stall();
    try {
      await expect(list.list({ ms: 50, error: () => new Error('mine') })).rejects.toThrow('mine');
    } finally {
      proxy.resume();
    }
    await list.settled();
  });
});
