import { startRedis, type PrivateRedis } from '@floodgate/testkit';
import { oncePerFile, redisTest } from '@floodgate/testkit/fixtures';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { checkAofAck } from './check-aof-ack';
import { readPersistence } from './check-persistence';
import { connectAtStartup } from './connect-at-startup';
import { createRedis } from './create-redis';
import { waitForRedis } from './wait-for-redis';

/** A real pino logger whose lines land in an array, to see what a process would print. */
function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, lines, warnings: () => lines.filter((line) => line.level === 40).map((line) => line.msg) };
}

/**
 * Two private servers for the file, each started by the first test that asks for it:
 * `redis` has the testkit's default, no AOF and no RDB saves (a Redis that keeps nothing
 * across a restart), `aof` an append-only file. `opened`: the connections a test opens,
 * quit after it.
 */
const test = redisTest.extend<{ aof: PrivateRedis; opened: Array<{ quit(): Promise<unknown> }> }>({
  aof: oncePerFile(() => startRedis({ appendonly: true })),
  // eslint-disable-next-line no-empty-pattern
  opened: async ({}, use) => {
    const opened: Array<{ quit(): Promise<unknown> }> = [];
    await use(opened);
    await Promise.all(opened.map((client) => client.quit()));
  },
});

describe('Redis persistence at start', () => {
  test('reads the AOF and the RDB save rules', async ({ redis: bare, aof, opened }) => {
    const { logger } = capturingLogger();
    const client = createRedis('producer', { url: bare.url, logger });
    opened.push(client);
    await waitForRedis(client);
    expect(await readPersistence(client)).toEqual({ aof: false, rdb: 'off' });
    await client.config('SET', 'save', '3600 1');
    try {
      expect(await readPersistence(client)).toEqual({ aof: false, rdb: 'on' });
    } finally {
      await client.config('SET', 'save', '');
    }
    const withAof = createRedis('producer', { url: aof.url, logger });
    opened.push(withAof);
    await waitForRedis(withAof);
    expect((await readPersistence(withAof)).aof).toBe(true);
  });

  test('warns, and still starts, on a Redis that persists nothing; says nothing with an AOF', async ({ redis: bare, aof, opened }) => {
    const withNone = capturingLogger();
    const started = await connectAtStartup('producer', { url: bare.url, logger: withNone.logger });
    expect(started?.status).toBe('ready');
    if (started) opened.push(started);
    expect(withNone.warnings()).toEqual([expect.stringMatching(/no persistence.*restart loses every queued job/)]);

    const withAof = capturingLogger();
    const startedWithAof = await connectAtStartup('producer', { url: aof.url, logger: withAof.logger });
    if (startedWithAof) opened.push(startedWithAof);
    expect(withAof.warnings()).toEqual([]);
  });

  test('refuses REDIS_ACK_FSYNC on a Redis without WAITAOF (Debian 12 has 7.0), naming the version it needs', async ({ redis: bare, aof, opened }) => {
    const { logger, lines } = capturingLogger();
    const client = createRedis('producer', { url: aof.url, logger });
    opened.push(client);
    await waitForRedis(client);
    const [major = 0, minor = 0] = (/^redis_version:(\d+)\.(\d+)/m.exec(await client.info('server')) ?? []).slice(1).map(Number);
    if (major > 7 || (major === 7 && minor >= 2)) {
      // A newer redis-server: WAITAOF exists, so only a Redis without an AOF is refused.
      await expect(checkAofAck(client)).resolves.toBeUndefined();
      const noAof = createRedis('producer', { url: bare.url, logger });
      opened.push(noAof);
      await waitForRedis(noAof);
      await expect(checkAofAck(noAof)).rejects.toMatchObject({ code: 'redis_no_aof_ack', message: expect.stringMatching(/append-only/) });
      return;
    }
    await expect(checkAofAck(client)).rejects.toMatchObject({ code: 'redis_no_aof_ack', message: expect.stringMatching(/WAITAOF.*7\.2/) });

    const previous = process.exitCode;
    try {
      expect(await connectAtStartup('producer', { url: aof.url, logger }, { ackFsync: true })).toBeUndefined();
      expect(process.exitCode).toBe(1);
      expect(lines.find((line) => line.level === 60)?.msg).toMatch(/REDIS_ACK_FSYNC/);
    } finally {
      process.exitCode = previous;
    }
  });
});
