import { eachTestConnection, redisTest } from '@floodgate/testkit/fixtures';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { fields, latencyBin, LATENCY_BINS_MS, quantileOfBins } from './overview-fields';
import { bucketKey } from '../redis/keys';
import { bucketStart, RESOLUTIONS } from './overview-keys';
import { readWindow, rememberWorkers } from './overview-reader';
import { startOverviewRecorder } from './overview-recorder';
import { parseMemoryInfo } from '../redis/memory-info';
import { primaryConnections } from '../redis/primaries';

const logger = pino({ level: 'silent' });

/** The file's private Redis, and each test's own connection to it. */
const test = redisTest.extend<{ client: Redis }>({
  client: eachTestConnection((url) => new Redis(url)),
});

describe('the overview history in a real Redis', () => {

  test('sums the counters of two processes, keeps the last gauge, and lists both writers', async ({ client: redis }) => {
    const prefix = '{fg-history-sum}';
    const a = startOverviewRecorder({ redis, prefix, source: 'api:host-a:1', flushEveryMs: 60_000, logger });
    const b = startOverviewRecorder({ redis, prefix, source: 'api:host-b:2', flushEveryMs: 60_000, logger });
    a.count(fields.refused('queue_full'), 3);
    b.count(fields.refused('queue_full'), 4);
    b.count(fields.refused('rate_limited'));
    a.gauge(fields.depth('compute', 'waiting'), 10);
    a.observe('compute', 'processing', 7);
    await a.stop();
    await b.stop();

    for (const window of ['15m', '1h', '24h'] as const) {
      const series = await readWindow(redis, prefix, window);
      const total = (field: string) => series.buckets.reduce((sum, bucket) => sum + (bucket[field] ?? 0), 0);
      expect(total(fields.refused('queue_full'))).toBe(7);
      expect(total(fields.refused('rate_limited'))).toBe(1);
      expect(total(fields.latencyBin('compute', 'processing', latencyBin(7)))).toBe(1);
      expect(series.buckets.at(-1)?.[fields.depth('compute', 'waiting')] ?? series.buckets.at(-2)?.[fields.depth('compute', 'waiting')]).toBe(10);
      expect(series.sources.map((s) => s.source).sort()).toEqual(['api:host-a:1', 'api:host-b:2']);
    }
  });

  test('gives every bucket a deadline no later than its resolution keeps it', async ({ client: redis }) => {
    const prefix = '{fg-history-ttl}';
    const recorder = startOverviewRecorder({ redis, prefix, source: 'worker:h:3', flushEveryMs: 60_000, logger });
    recorder.count(fields.finished('compute', 'completed'));
    const now = Date.now();
    await recorder.stop();
    for (const resolution of RESOLUTIONS) {
      const key = bucketKey(prefix, resolution, bucketStart(resolution, now));
      const ttl = await redis.pttl(key);
      // A bucket that straddled the flush may be the next one; either way it expires, and not later than kept.
      if (ttl === -2) continue;
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(resolution.bucketMs + resolution.keepMs);
    }
  });

  test('remembers a worker that stopped beating, and forgets one whose last beat is over an hour old', async ({ client: redis }) => {
    const prefix = '{fg-history-seen}';
    const now = Date.now();
    await rememberWorkers(redis, prefix, [{ id: 'h:1', beatAt: new Date(now).toISOString() }], now);
    await rememberWorkers(redis, prefix, [{ id: 'h:old', beatAt: new Date(now - 2 * 3_600_000).toISOString() }], now);
    const seen = await rememberWorkers(redis, prefix, [], now);
    expect([...seen.keys()]).toEqual(['h:1']);
  });

  it('reads quantiles from histogram bins', () => {
    const counts = new Array<number>(LATENCY_BINS_MS.length + 1).fill(0);
    expect(quantileOfBins(counts, 0.5)).toBeUndefined();
    counts[latencyBin(15)] = 100; // all in (10, 20]
    const p50 = quantileOfBins(counts, 0.5) ?? 0;
    expect(p50).toBeGreaterThan(10);
    expect(p50).toBeLessThanOrEqual(20);
    counts[latencyBin(400_000)] = 1_000; // the open bin
    expect(quantileOfBins(counts, 0.95)).toBe(300_000);
  });

  test('names each primary and reads its memory, as the overview sampler charts them', async ({ redis: server, client: redis }) => {
    const [primary, ...others] = primaryConnections(redis);
    expect(others).toEqual([]);
    expect(primary?.name).toBe(`127.0.0.1:${server.port}`);
    const memory = parseMemoryInfo(await redis.info('memory'));
    expect(memory.usedBytes).toBeGreaterThan(0);
  });
});
