import { randomUUID } from 'node:crypto';
import { eachTestConnection, redisTest } from '@floodgate/testkit/fixtures';
import type { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { createLogger } from '../logger';
import { createRedis } from '../redis';
import { parseProxyList } from './proxy-list';
import { proxyStateKey } from '../redis/keys';
import { listProxyStatuses, ProxyStateStore } from './proxy-state';

const [exit, other] = parseProxyList('http://user:hunter2@10.1.1.1:3128,http://10.1.1.2:3128', 'test');
const cooling = { cool: true, cooldownBaseMs: 1_000, cooldownMaxMs: 5_000 };
const logger = createLogger({ name: 'test', level: 'silent', pretty: false });

/** The file's private Redis, and each test's own worker connection to it. */
const test = redisTest.extend<{ connection: Redis }>({
  connection: eachTestConnection((url) => createRedis('worker', { url, logger })),
});

const newPrefix = () => `{fg-test-${randomUUID()}}`;

describe('ProxyStateStore', () => {
  test('cools a failing proxy with exponential backoff, capped, and a success restores it', async ({ connection }) => {
    const store = new ProxyStateStore(connection, newPrefix());
    const t = 1_000_000;
    const first = await store.recordFailure(exit!, { ...cooling, error: 'connect ECONNREFUSED' }, t);
    expect(first).toEqual({ coolUntil: t + 1_000, strikes: 1, cooledAt: t, newlyCooled: true });
    // Failures while it already cools (requests that were in flight) neither extend nor escalate it.
    const during = await store.recordFailure(exit!, { ...cooling, error: 'reset' }, t + 10);
    expect(during).toEqual({ coolUntil: t + 1_000, strikes: 1, cooledAt: t, newlyCooled: false });
    // Failing again once the cool-down is over doubles it, up to the maximum.
    expect((await store.recordFailure(exit!, { ...cooling, error: 'x' }, t + 2_000)).coolUntil).toBe(t + 2_000 + 2_000);
    expect((await store.recordFailure(exit!, { ...cooling, error: 'x' }, t + 10_000)).coolUntil).toBe(t + 10_000 + 4_000);
    expect((await store.recordFailure(exit!, { ...cooling, error: 'x' }, t + 20_000)).coolUntil).toBe(t + 20_000 + 5_000);
    // A success of a request that began before the current cool-down does not end it…
    expect((await store.recordSuccess(exit!, t + 19_000, { now: t + 20_500 })).coolUntil).toBe(t + 25_000);
    // …one that began after it does, and resets the escalation.
    expect(await store.recordSuccess(exit!, t + 20_100, { now: t + 20_600 })).toEqual({ coolUntil: 0, strikes: 0, cooledAt: t + 20_000 });
    expect((await store.recordFailure(exit!, { ...cooling, error: 'x' }, t + 30_000)).coolUntil).toBe(t + 31_000);
  });

  test('counts a failure that is not the proxy’s without cooling it', async ({ connection }) => {
    const prefix = newPrefix();
    const store = new ProxyStateStore(connection, prefix);
    expect(await store.recordFailure(exit!, { ...cooling, cool: false, error: 'CONNECT answered 502' })).toMatchObject({ coolUntil: 0, newlyCooled: false });
    expect(await connection.hmget(proxyStateKey(prefix, exit!.id), 'failures', 'lastError')).toEqual(['1', 'CONNECT answered 502']);
  });

  test('expires the hash after its TTL, and never before the cool-down ends', async ({ connection }) => {
    const prefix = newPrefix();
    const store = new ProxyStateStore(connection, prefix, 60_000);
    await store.recordSuccess(exit!, Date.now());
    expect(await connection.pttl(proxyStateKey(prefix, exit!.id))).toBeGreaterThan(59_000);
    await store.recordFailure(exit!, { ...cooling, cooldownBaseMs: 600_000, cooldownMaxMs: 600_000, error: 'x' });
    expect(await connection.pttl(proxyStateKey(prefix, exit!.id))).toBeGreaterThan(600_000);
  });

  test('lets two stores on separate connections see the same health', async ({ redis, connection }) => {
    const prefix = newPrefix();
    const second = createRedis('worker', { url: redis.url, logger });
    try {
      const a = new ProxyStateStore(connection, prefix);
      const b = new ProxyStateStore(second, prefix);
      const { coolUntil } = await a.recordFailure(exit!, { ...cooling, error: 'x' });
      expect(await b.readHealth([exit!, other!])).toEqual([
        { coolUntil, strikes: 1, cooledAt: expect.any(Number) },
        { coolUntil: 0, strikes: 0, cooledAt: 0 },
      ]);
      expect(await a.claimCheck(exit!, 10_000)).toBe(true);
      expect(await b.claimCheck(exit!, 10_000)).toBe(false);
    } finally {
      second.disconnect();
    }
  });
});

describe('listProxyStatuses', () => {
  test('lists configured and recently used proxies with masked URLs and their state', async ({ connection }) => {
    const prefix = newPrefix();
    const store = new ProxyStateStore(connection, prefix);
    await store.recordFailure(exit!, { ...cooling, cooldownBaseMs: 60_000, cooldownMaxMs: 60_000, error: 'proxy answered 407' });
    const [unlisted] = parseProxyList('http://10.9.9.9:8080', 'test');
    await store.recordSuccess(unlisted!, Date.now());
    const statuses = await listProxyStatuses(connection, prefix, [exit!, other!]);
    expect(statuses).toEqual([
      expect.objectContaining({ proxy: '10.1.1.1:3128', url: 'http://***:***@10.1.1.1:3128', state: 'cooling', configured: true, failures: 1, strikes: 1, lastError: 'proxy answered 407' }),
      expect.objectContaining({ proxy: '10.1.1.2:3128', state: 'healthy', configured: true, successes: 0, failures: 0, lastError: null, coolingUntil: null }),
      expect.objectContaining({ proxy: '10.9.9.9:8080', state: 'healthy', configured: false, successes: 1 }),
    ]);
    expect(Date.parse(statuses[0]?.coolingUntil ?? '')).toBeGreaterThan(Date.now() + 50_000);
    expect(JSON.stringify(statuses)).not.toContain('hunter2');
    expect(JSON.stringify(await connection.hgetall(proxyStateKey(prefix, exit!.id)))).not.toContain('hunter2');
  });
});
