import { randomUUID } from 'node:crypto';
import { startRedis, startTcpFaultProxy, type PrivateRedis, type TcpFaultProxy } from '@floodgate/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('the shared worker list', () => {
  let server: PrivateRedis;
  let proxy: TcpFaultProxy;
  /** Straight to Redis: writes, counts. */
  let direct: RedisClient;
  /** Through the fault proxy, which can stall it. */
  let proxied: RedisClient;
  let prefix: string;
  /** SCANs one full listing costs: a walk of the whole keyspace, COUNT 200 at a time. */
  let scansPerListing: number;
  const WORKERS = 1_000;

  beforeAll(async () => {
    server = await startRedis();
    proxy = await startTcpFaultProxy({ target: server.url });
    direct = createRedis('producer', { url: server.url, logger });
    proxied = createRedis('producer', { url: proxy.url, logger });
    await Promise.all([waitForRedis(direct), waitForRedis(proxied)]);
    prefix = `{fg-list-${randomUUID()}}`;
    // Enough keys that one listing takes several SCANs, so a walk that goes on can be told from one that stopped.
    const pipeline = direct.pipeline();
    for (let i = 0; i < WORKERS; i++) pipeline.set(heartbeatKey(prefix, `w:${i}`), JSON.stringify(sampleHeartbeat(`w:${i}`)), 'PX', 600_000);
    await pipeline.exec();
    const once = await counted(direct, () => listHeartbeats(direct, prefix));
    scansPerListing = once.scans;
    expect(scansPerListing).toBeGreaterThanOrEqual(5);
  }, 30_000);
  afterAll(async () => {
    direct?.disconnect();
    proxied?.disconnect();
    await proxy?.close();
    await server?.stop();
  });

  it('answers concurrent callers with one listing, and later ones from it until it is maxAgeMs old', async () => {
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

  it('stops walking once every caller has given up, and the next caller lists afresh', async () => {
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

  it('goes on for the callers still waiting when one gives up', async () => {
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

  it("answers with the caller's own error when its deadline passes", async () => {
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
