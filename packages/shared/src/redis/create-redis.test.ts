import { startRedis, waitFor } from '@floodgate/testkit';
import { redisTestWith } from '@floodgate/testkit/fixtures';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { checkEvictionPolicy } from './check-eviction-policy';
import { connectAtStartup } from './connect-at-startup';
import { createRedis } from './create-redis';
import { waitForRedis } from './wait-for-redis';

const logger = pino({ level: 'silent' });
const passwordTest = redisTestWith({ password: 'p@ss word' });

describe('createRedis against a real, password-protected Redis', () => {
  passwordTest('connects with the password from the URL in both roles', async ({ redis }) => {
    for (const role of ['producer', 'worker'] as const) {
      const client = createRedis(role, { url: redis.url, logger });
      await waitForRedis(client, 5_000);
      expect(await client.ping()).toBe('PONG');
      await client.quit();
    }
  });

  passwordTest('gives up on a wrong password instead of hanging', async ({ redis }) => {
    const client = createRedis('producer', { url: `redis://:wrong@127.0.0.1:${redis.port}`, logger });
    await expect(waitForRedis(client, 500)).rejects.toThrow(/did not answer/);
    client.disconnect();
  });

  it('fails fast as a producer while Redis is down, and recovers after', async () => {
    const server = await startRedis();
    const producer = createRedis('producer', { url: server.url, logger });
    const worker = createRedis('worker', { url: server.url, logger });
    await waitForRedis(producer);
    await waitForRedis(worker);
    await server.kill();
    await waitFor(() => producer.status !== 'ready', { description: 'producer to notice the outage' });
    // No offline queue: the command is refused at once rather than parked.
    await expect(producer.set('k', 'v')).rejects.toThrow();
    // The worker connection parks the command and completes it after the restart.
    const parked = worker.set('parked', '1');
    await server.restart();
    await expect(parked).resolves.toBe('OK');
    await waitFor(async () => (await producer.get('parked').catch(() => undefined)) === '1', {
      description: 'producer to reconnect',
    });
    producer.disconnect();
    worker.disconnect();
    await server.stop();
  });
});

describe('checkEvictionPolicy', () => {
  it('accepts noeviction and refuses an eviction policy with an explanation', async () => {
    const good = await startRedis();
    const bad = await startRedis({ maxmemoryPolicy: 'allkeys-lru' });
    const goodClient = createRedis('producer', { url: good.url, logger });
    const badClient = createRedis('producer', { url: bad.url, logger });
    await waitForRedis(goodClient);
    await waitForRedis(badClient);
    await expect(checkEvictionPolicy(goodClient)).resolves.toBeUndefined();
    await expect(checkEvictionPolicy(badClient)).rejects.toMatchObject({
      code: 'redis_eviction_policy',
      message: expect.stringMatching(/"allkeys-lru".*noeviction.*silently/),
    });
    await goodClient.quit();
    await badClient.quit();
    await good.stop();
    await bad.stop();
  });
});

describe('connectAtStartup', () => {
  it('returns a ready connection on a noeviction Redis, and refuses (exit code 1) an evicting one', async () => {
    const good = await startRedis();
    const bad = await startRedis({ maxmemoryPolicy: 'volatile-lru' });
    const ok = await connectAtStartup('worker', { url: good.url, logger });
    expect(ok?.status).toBe('ready');
    await ok?.quit();
    const previous = process.exitCode;
    try {
      expect(await connectAtStartup('producer', { url: bad.url, logger })).toBeUndefined();
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = previous;
    }
    await good.stop();
    await bad.stop();
  });
});
