import type { RedisClient } from '../redis/create-redis';
import type { Logger } from 'pino';
import { fields, latencyBin, type Latency } from './overview-fields';
import { bucketKey, sourcesKey } from '../redis/keys';
import { bucketStart, RESOLUTIONS } from './overview-keys';

export interface OverviewRecorderOptions {
  redis: RedisClient;
  /** QUEUE_PREFIX. */
  prefix: string;
  /** Who writes: `api:host:pid`, `worker:host:pid`; listed by the overview. */
  source: string;
  /** How often the buffered figures go to Redis (one pipeline). @defaultValue 5000 */
  flushEveryMs?: number;
  /** Runs before each flush, to sample gauges (queue depth, Redis memory) into the recorder. */
  beforeFlush?: (recorder: OverviewRecorder) => Promise<void>;
  logger: Logger;
}

/**
 * This process's share of the overview's history. Figures are buffered in
 * memory (a counter is one Map update on the hot path) and written every few
 * seconds as one pipeline into each resolution's current bucket, which
 * expires by itself: every API and worker process adds to the same buckets,
 * and a dashboard restart loses nothing.
 */
export interface OverviewRecorder {
  count(field: string, n?: number): void;
  /** One latency observation of `type`, in ms. */
  observe(type: string, latency: Latency, ms: number): void;
  /** A gauge: the bucket keeps the last value written. */
  gauge(field: string, value: number): void;
  /** Writes what is buffered now. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is left. */
  stop(): Promise<void>;
}

export function startOverviewRecorder(options: OverviewRecorderOptions): OverviewRecorder {
  let counters = new Map<string, number>();
  let gauges = new Map<string, number>();
  let flushing: Promise<void> | undefined;

  const write = async () => {
    await options.beforeFlush?.(recorder);
    if (counters.size === 0 && gauges.size === 0) return;
    const [batchCounters, batchGauges] = [counters, gauges];
    counters = new Map();
    gauges = new Map();
    const now = Date.now();
    const pipeline = options.redis.pipeline();
    for (const resolution of RESOLUTIONS) {
      const key = bucketKey(options.prefix, resolution, bucketStart(resolution, now));
      for (const [field, n] of batchCounters) pipeline.hincrby(key, field, n);
      if (batchGauges.size > 0) pipeline.hset(key, Object.fromEntries(batchGauges));
      // Counted from the bucket's start, so each bucket lives its full keep time and no longer.
      pipeline.pexpireat(key, bucketStart(resolution, now) + resolution.bucketMs + resolution.keepMs);
    }
    const longest = RESOLUTIONS[2].keepMs;
    pipeline.zadd(sourcesKey(options.prefix), now, options.source);
    pipeline.zremrangebyscore(sourcesKey(options.prefix), '-inf', now - longest);
    pipeline.pexpire(sourcesKey(options.prefix), longest);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  };
  const flush = (): Promise<void> => {
    // One write at a time; a flush asked for meanwhile joins the running one.
    flushing ??= write()
      .catch((err: unknown) => options.logger.warn({ err }, 'overview figures not written'))
      .finally(() => (flushing = undefined));
    return flushing;
  };

  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 5_000);
  timer.unref();
  const recorder: OverviewRecorder = {
    count(field, n = 1) {
      counters.set(field, (counters.get(field) ?? 0) + n);
    },
    observe(type, latency, ms) {
      const field = fields.latencyBin(type, latency, latencyBin(ms));
      counters.set(field, (counters.get(field) ?? 0) + 1);
    },
    gauge(field, value) {
      gauges.set(field, value);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
  return recorder;
}
