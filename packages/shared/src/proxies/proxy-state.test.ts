import { randomUUID } from 'node:crypto';
import { startRedis, type PrivateRedis } from '@floodgate/testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { createRedis, waitForRedis } from '../redis';
import { parseProxyList } from './proxy-list';
import { proxyStateKey } from '../redis/keys';
import { listProxyStatuses, ProxyStateStore } from './proxy-state';

let redis: PrivateRedis;
let connection: Redis;
const [exit, other] = parseProxyList('http://user:hunter2@10.1.1.1:3128,http://10.1.1.2:3128', 'test');
const cooling = { cool: true, cooldownBaseMs: 1_000, cooldownMaxMs: 5_000 };

beforeAll(async () => {
  redis = await startRedis();
  connection = createRedis('worker', { url: redis.url, logger: createLogger({ name: 'test', level: 'silent', pretty: false }) });
  await waitForRedis(connection);
});

afterAll(async () => {
  connection?.disconnect();
  await redis?.stop();
});

const newPrefix = () => `{fg-test-${randomUUID()}}`;

describe('ProxyStateStore', () => {
  it('cools a failing proxy with exponential backoff, capped, and a success restores it', async () => {
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

  it('counts a failure that is not the proxy’s without cooling it', async () => {
    const prefix = newPrefix();
    const store = new ProxyStateStore(connection, prefix);
    expect(await store.recordFailure(exit!, { ...cooling, cool: false, error: 'CONNECT answered 502' })).toMatchObject({ coolUntil: 0, newlyCooled: false });
    expect(await connection.hmget(proxyStateKey(prefix, exit!.id), 'failures', 'lastError')).toEqual(['1', 'CONNECT answered 502']);
  });

  it('expires the hash after its TTL, and never before the cool-down ends', async () => {
    const prefix = newPrefix();
    const store = new ProxyStateStore(connection, prefix, 60_000);
    await store.recordSuccess(exit!, Date.now());
    expect(await connection.pttl(proxyStateKey(prefix, exit!.id))).toBeGreaterThan(59_000);
    await store.recordFailure(exit!, { ...cooling, cooldownBaseMs: 600_000, cooldownMaxMs: 600_000, error: 'x' });
    expect(await connection.pttl(proxyStateKey(prefix, exit!.id))).toBeGreaterThan(600_000);
  });

  it('lets two stores on separate connections see the same health', async () => {
    const prefix = newPrefix();
    const second = createRedis('worker', { url: redis.url, logger: createLogger({ name: 'test', level: 'silent', pretty: false }) });
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
  it('lists configured and recently used proxies with masked URLs and their state', async () => {
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
