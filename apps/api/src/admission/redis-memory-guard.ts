import type { Logger } from '@floodgate/shared/logger';
import { primaryConnections, type RedisClient } from '@floodgate/shared/redis';
import { Cluster } from 'ioredis';
import { createHysteresisGate, type HysteresisGate } from './hysteresis-gate';

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

/** One primary's last memory reading. */
export interface PrimaryMemoryUsage {
  /** `host:port` of the primary (or `sentinel:<name>`), as 503 details name it. */
  primary: string;
  usedBytes: number;
  maxBytes: number;
}

export interface RedisMemoryGuard {
  /** Whether any primary is nearly full. */
  readonly shedding: boolean;
  /** The fullest primary's last reading, for logs and errors. */
  readonly usage: PrimaryMemoryUsage | undefined;
  /**
   * The nearly full primary that new jobs for `slot` would land on, or
   * undefined when they may go ahead. On one node (or without a slot) any full
   * primary counts; in a cluster only the one serving the slot, so types whose
   * queues live on other masters keep being accepted.
   */
  fullPrimaryFor(slot: number | undefined): PrimaryMemoryUsage | undefined;
  stop(): void;
}

/**
 * Keeps Redis from ever answering a write with OOM: well before `maxmemory`,
 * the API stops accepting jobs (503 `redis_memory_high`) while workers drain
 * the backlog, and accepts again once usage is back under the low mark. Every
 * primary is watched on its own (a cluster's masters fill unevenly). A Redis
 * without `maxmemory` has no limit to guard; the guard then stays open.
 */
export function startRedisMemoryGuard(options: RedisMemoryGuardOptions): RedisMemoryGuard {
  const primaries = new Map<string, { gate: HysteresisGate; usage: PrimaryMemoryUsage }>();
  let inFlight = false;
  const samplePrimary = async (primary: string, info: string) => {
    const usedBytes = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
    const maxBytes = Number(/^maxmemory:(\d+)/m.exec(info)?.[1] ?? 0);
    let entry = primaries.get(primary);
    if (!entry) primaries.set(primary, (entry = { gate: createHysteresisGate({ high: options.high, low: options.low }), usage: { primary, usedBytes, maxBytes } }));
    entry.usage = { primary, usedBytes, maxBytes };
    const was = entry.gate.shedding;
    const now = entry.gate.update(maxBytes > 0 ? usedBytes / maxBytes : 0);
    if (now !== was) {
      options.logger.warn({ primary, usedBytes, maxBytes, shedding: now }, now ? 'redis memory high: refusing new jobs' : 'redis memory back to normal: accepting jobs');
    }
  };
  const sample = async () => {
    if (inFlight || options.redis.status !== 'ready') return;
    inFlight = true;
    try {
      const current = primaryConnections(options.redis);
      await Promise.all(
        current.map(async ({ name, redis }) => {
          try {
            await samplePrimary(name, await redis.info('memory'));
          } catch {
            // Unreachable primary: its writes fail with 503 redis_unavailable from the enqueue itself.
          }
        }),
      );
      // A primary gone after a failover must not keep shedding for slots it no longer serves.
      const names = new Set(current.map((p) => p.name));
      for (const name of primaries.keys()) if (!names.has(name)) primaries.delete(name);
    } finally {
      inFlight = false;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), options.intervalMs);
  timer.unref();
  const shedding = () => [...primaries.values()].filter((p) => p.gate.shedding).map((p) => p.usage);
  return {
    get shedding() {
      return shedding().length > 0;
    },
    get usage() {
      const all = [...primaries.values()].map((p) => p.usage);
      return all.sort((a, b) => b.usedBytes / (b.maxBytes || Infinity) - a.usedBytes / (a.maxBytes || Infinity))[0];
    },
    fullPrimaryFor(slot) {
      const full = shedding();
      if (full.length === 0) return undefined;
      if (slot === undefined || !(options.redis instanceof Cluster)) return full[0];
      const owner = options.redis.slots[slot]?.[0];
      return full.find((p) => p.primary === owner);
    },
    stop: () => clearInterval(timer),
  };
}
