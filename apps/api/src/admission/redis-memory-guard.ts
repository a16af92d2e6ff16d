import type { Logger } from '@floodgate/shared/logger';
import type { Redis } from 'ioredis';
import { createHysteresisGate } from './hysteresis-gate';

export interface RedisMemoryGuardOptions {
  redis: Redis;
  /** used_memory / maxmemory at which enqueueing stops. @defaultValue 0.85 */
  high: number;
  /** …and below which it resumes. @defaultValue 0.75 */
  low: number;
  /** Sampling period. One timer per process, never a Redis call per request. @defaultValue 500 */
  intervalMs: number;
  /**
   * Longest one `INFO` may take. Past it the sample is given up (the reading
   * goes stale) and the next one may start: an answer that never comes must
   * not stop the sampling for good. @defaultValue 2000
   */
  deadlineMs?: number;
  logger: Logger;
}

export interface RedisMemoryGuard {
  /** Whether new jobs are being refused because Redis is nearly full. */
  readonly shedding: boolean;
  /** The last reading, for logs and errors. */
  readonly usage: { usedBytes: number; maxBytes: number } | undefined;
  /** The last sample got no reading (Redis failed or did not answer in time): `shedding` is as of an older one. */
  readonly stale: boolean;
  stop(): void;
}

/**
 * Keeps Redis from ever answering a write with OOM: well before `maxmemory`,
 * the API stops accepting jobs (503 `redis_memory_high`) while workers drain
 * the backlog, and accepts again once usage is back under the low mark. A Redis
 * without `maxmemory` has no limit to guard; the guard then stays open.
 */
export function startRedisMemoryGuard(options: RedisMemoryGuardOptions): RedisMemoryGuard {
  const gate = createHysteresisGate({ high: options.high, low: options.low });
  let usage: RedisMemoryGuard['usage'];
  let inFlight = false;
  let stale = false;
  const deadlineMs = options.deadlineMs ?? 2_000;
  const sample = async () => {
    if (inFlight || options.redis.status !== 'ready') return;
    inFlight = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const info = await Promise.race([
        options.redis.info('memory'),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`INFO took over ${deadlineMs} ms`)), deadlineMs))),
      ]);
      const usedBytes = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
      const maxBytes = Number(/^maxmemory:(\d+)/m.exec(info)?.[1] ?? 0);
      usage = { usedBytes, maxBytes };
      stale = false;
      const was = gate.shedding;
      const now = gate.update(maxBytes > 0 ? usedBytes / maxBytes : 0);
      if (now !== was) {
        options.logger.warn({ usedBytes, maxBytes, shedding: now }, now ? 'redis memory high: refusing new jobs' : 'redis memory back to normal: accepting jobs');
      }
    } catch (err) {
      // Requests get their own 503 from the enqueue (unavailable or timeout); this only says the reading is old.
      if (!stale) options.logger.warn({ err }, 'redis memory reading failed: keeping the last one');
      stale = true;
    } finally {
      clearTimeout(timer);
      inFlight = false;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), options.intervalMs);
  timer.unref();
  return {
    get shedding() {
      return gate.shedding;
    },
    get usage() {
      return usage;
    },
    get stale() {
      return stale;
    },
    stop: () => clearInterval(timer),
  };
}
