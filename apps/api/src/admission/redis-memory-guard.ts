import type { Logger } from '@floodgate/shared/logger';
import type { RedisClient } from '@floodgate/shared/redis';
import { createHysteresisGate } from './hysteresis-gate';

export interface RedisMemoryGuardOptions {
  redis: RedisClient;
  /** used_memory / maxmemory at which enqueueing stops. @defaultValue 0.85 */
  high: number;
  /** …and below which it resumes. @defaultValue 0.75 */
  low: number;
  /** Sampling period. One timer per process, never a Redis call per request. @defaultValue 500 */
  intervalMs: number;
  logger: Logger;
}

export interface RedisMemoryGuard {
  /** Whether new jobs are being refused because Redis is nearly full. */
  readonly shedding: boolean;
  /** The last reading, for logs and errors. */
  readonly usage: { usedBytes: number; maxBytes: number } | undefined;
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
  const sample = async () => {
    if (inFlight || options.redis.status !== 'ready') return;
    inFlight = true;
    try {
      const info = await options.redis.info('memory');
      const usedBytes = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
      const maxBytes = Number(/^maxmemory:(\d+)/m.exec(info)?.[1] ?? 0);
      usage = { usedBytes, maxBytes };
      const was = gate.shedding;
      const now = gate.update(maxBytes > 0 ? usedBytes / maxBytes : 0);
      if (now !== was) {
        options.logger.warn({ usedBytes, maxBytes, shedding: now }, now ? 'redis memory high: refusing new jobs' : 'redis memory back to normal: accepting jobs');
      }
    } catch {
      // Redis unreachable: requests get 503 redis_unavailable from the enqueue itself.
    } finally {
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
    stop: () => clearInterval(timer),
  };
}
