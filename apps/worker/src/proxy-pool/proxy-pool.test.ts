import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@floodgate/shared/logger';
import { createMetricsRegistry } from '@floodgate/shared/metrics';
import { parseProxyList, ProxyStateStore, type ProxyEndpoint } from '@floodgate/shared/proxies';
import { createRedis } from '@floodgate/shared/redis';
import { metricValue, startForwardProxy, waitFor } from '@floodgate/testkit';
import { redisTest } from '@floodgate/testkit/fixtures';
import type { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import { describe, expect } from 'vitest';
import { createProxyMetrics } from './proxy-metrics';
import { ProxyPool, type ProxyLease, type ProxyPoolOptions } from './proxy-pool';

const logger = createLogger({ name: 'proxy-pool-test', level: 'silent', pretty: false });
const endpoints = parseProxyList('http://u:secret@10.0.0.1:3128,http://10.0.0.2:3128,http://10.0.0.3:3128', 'test');
const [A, B, C] = endpoints.map((endpoint) => endpoint.hostPort);
/** These tests pick and release exits without sending anything. */
const noDispatcher = () => ({ close: async () => undefined, destroy: async () => undefined }) as unknown as Dispatcher;
const signal = new AbortController().signal;

interface Fixtures {
  /** A worker-role connection to the file's Redis, closed after the file. */
  connection: Redis;
  /** A pool of the three endpoints above on a fresh prefix, sending nothing, unless `options` say otherwise; closed after the test. */
  newPool(options?: Partial<ProxyPoolOptions>): ProxyPool;
}

const it = redisTest.extend<Fixtures>({
  connection: [
    async ({ redis }, use) => {
      const connection = createRedis('worker', { url: redis.url, logger });
      await use(connection);
      connection.disconnect();
    },
    { scope: 'file' },
  ],
  newPool: async ({ connection }, use) => {
    const pools: ProxyPool[] = [];
    await use((options = {}) => {
      const pool = new ProxyPool({ endpoints, redis: connection, prefix: `{fg-test-${randomUUID()}}`, logger, createDispatcher: noDispatcher, ...options });
      pools.push(pool);
      return pool;
    });
    await Promise.all(pools.map((pool) => pool.close()));
  },
});

/** Acquires, notes which exit, releases as `ok`. */
async function use(pool: ProxyPool, sticky?: string): Promise<string> {
  const lease = await pool.acquire({ sticky, signal });
  if (!lease) throw new Error('no exit');
  await lease.release('ok');
  return lease.endpoint.hostPort;
}

async function fail(pool: ProxyPool, hostPort: string): Promise<void> {
  const lease = await pool.acquire({ exclude: endpoints.filter((e) => e.hostPort !== hostPort), signal });
  expect(lease?.endpoint.hostPort).toBe(hostPort);
  await lease?.release('proxy_error', 'connect ECONNREFUSED');
}

describe('ProxyPool rotation', () => {
  it('round-robin takes each exit in turn', async ({ newPool }) => {
    const pool = newPool();
    const order: string[] = [];
    for (let i = 0; i < 6; i++) order.push(await use(pool));
    expect(order).toEqual([A, B, C, A, B, C]);
  });

  it('lru takes the exit this process used least recently', async ({ newPool }) => {
    const pool = newPool({ rotation: 'lru' });
    expect([await use(pool), await use(pool), await use(pool)]).toEqual([A, B, C]);
    // A sticky request uses one exit out of turn; lru goes to the oldest of the others.
    const stuck = await use(pool, 'site');
    const others = [A, B, C].filter((hostPort) => hostPort !== stuck);
    expect(await use(pool)).toBe(others[0]);
  });

  it('keeps a sticky key on one exit while it is healthy, moves it while it cools, and back after', async ({ newPool }) => {
    const pool = newPool({ cooldownBaseMs: 150 });
    const own = await use(pool, 'shop.example');
    for (let i = 0; i < 10; i++) expect(await use(pool, 'shop.example')).toBe(own);
    // Other keys spread over the exits.
    const spread = new Set<string>();
    for (let i = 0; i < 30; i++) spread.add(await use(pool, `site-${i}`));
    expect(spread.size).toBe(3);
    await fail(pool, own);
    const moved = await use(pool, 'shop.example');
    expect(moved).not.toBe(own);
    for (let i = 0; i < 5; i++) expect(await use(pool, 'shop.example')).toBe(moved);
    await waitFor(async () => (await use(pool, 'shop.example')) === own, { timeoutMs: 2_000, description: 'the sticky exit to come back' });
  });
});

describe('ProxyPool concurrency cap', () => {
  it('gives another exit when one is full, and waits for a slot when all are', async ({ newPool }) => {
    const pool = newPool({ maxConcurrency: 1 });
    const held = [await pool.acquire({ signal }), await pool.acquire({ signal }), await pool.acquire({ signal })] as ProxyLease[];
    expect(held.map((lease) => lease.endpoint.hostPort)).toEqual([A, B, C]);
    let granted: ProxyLease | undefined;
    const waiting = pool.acquire({ signal }).then((lease) => (granted = lease));
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toBeUndefined();
    await held[1]?.release('ok');
    await waiting;
    expect(granted?.endpoint.hostPort).toBe(B);
    // The wait is bounded by the job's signal.
    await expect(pool.acquire({ signal: AbortSignal.timeout(30) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(pool.view().map((exit) => exit.active)).toEqual([1, 1, 1]);
  });

  it('lets one request at a time through an exit just out of its cool-down, until one succeeds', async ({ newPool }) => {
    const pool = newPool({ cooldownBaseMs: 50, maxConcurrency: 4 });
    await fail(pool, A!);
    await waitFor(() => pool.view()[0]!.health.coolUntil <= Date.now(), { timeoutMs: 1_000 });
    const only = (hostPort: string) => ({ exclude: endpoints.filter((e) => e.hostPort !== hostPort), signal: AbortSignal.timeout(50) });
    const probe = await pool.acquire(only(A!));
    expect(probe?.endpoint.hostPort).toBe(A);
    await expect(pool.acquire(only(A!))).rejects.toMatchObject({ name: 'TimeoutError' });
    await probe?.release('ok');
    const leases = await Promise.all([1, 2, 3, 4].map(() => pool.acquire(only(A!))));
    expect(leases.every((lease) => lease?.endpoint.hostPort === A)).toBe(true);
  });
});

describe('ProxyPool health', () => {
  it('skips a cooling exit, and has none to give when every exit cools', async ({ newPool }) => {
    const registry = createMetricsRegistry('proxy-pool-test');
    const pool = newPool({ metrics: createProxyMetrics(registry) });
    await fail(pool, B!);
    for (let i = 0; i < 4; i++) expect(await use(pool)).not.toBe(B);
    await fail(pool, A!);
    await fail(pool, C!);
    expect(await pool.acquire({ signal })).toBeUndefined();
    expect(pool.unavailableReason()).toMatch(/^all 3 proxies are cooling down \(10\.0\.0\.1:3128, 10\.0\.0\.2:3128, 10\.0\.0\.3:3128\); the first is back in \d+\.\d s$/);
    const text = await registry.metrics();
    expect(metricValue(text, 'floodgate_proxy_requests_total', { proxy: B!, outcome: 'proxy_error' })).toBe(1);
    expect(metricValue(text, 'floodgate_proxy_requests_total', { outcome: 'ok' })).toBe(4);
    expect(text).not.toContain('secret');
  });

  it('shares health between processes: two pools on separate Redis connections', async ({ redis, connection, newPool }) => {
    const second = createRedis('worker', { url: redis.url, logger });
    try {
      const prefix = `{fg-test-${randomUUID()}}`;
      const one = newPool({ prefix, cooldownBaseMs: 60_000 });
      const two = newPool({ prefix, redis: second, cooldownBaseMs: 60_000 });
      await fail(one, C!);
      await two.refresh();
      for (let i = 0; i < 6; i++) expect(await use(two)).not.toBe(C);
      // Every exit cooling, as seen by the first pool; the second learns it at its next refresh (every second).
      await fail(one, A!);
      await fail(one, B!);
      await two.refresh();
      expect(await two.acquire({ signal })).toBeUndefined();
      // A success recorded elsewhere (say, another process's health check) puts the exit back for both.
      await new ProxyStateStore(connection, prefix).recordSuccess(endpoints[0]!, Date.now(), { revival: true });
      await Promise.all([one.refresh(), two.refresh()]);
      expect(await use(two)).toBe(A);
      expect(await use(one)).toBe(A);
    } finally {
      second.disconnect();
    }
  });

  it('revives a cooling exit when its health check answers', async ({ newPool }) => {
    const site: Server = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const proxy = await startForwardProxy({ auth: { username: 'u', password: 'pw' } });
    try {
      const [endpoint] = parseProxyList(proxy.url, 'test') as [ProxyEndpoint];
      const pool = newPool({
        endpoints: [endpoint],
        // Real dispatchers: the health check goes through the proxy.
        createDispatcher: undefined,
        cooldownBaseMs: 60_000,
        healthcheck: { url: `http://127.0.0.1:${(site.address() as AddressInfo).port}/health`, intervalMs: 100 },
      });
      const lease = await pool.acquire({ signal });
      await lease?.release('proxy_error', 'connect ECONNRESET');
      expect(await pool.acquire({ signal })).toBeUndefined();
      await waitFor(() => pool.view()[0]!.health.coolUntil === 0, { timeoutMs: 3_000, description: 'the health check to revive the exit' });
      expect((await pool.acquire({ signal }))?.endpoint.hostPort).toBe(proxy.hostPort);
      expect(proxy.forwarded).toBeGreaterThanOrEqual(1);
    } finally {
      await proxy.close();
      site.closeAllConnections();
      await new Promise((resolve) => site.close(resolve));
    }
  });
});

