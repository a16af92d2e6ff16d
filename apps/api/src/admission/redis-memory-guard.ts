import type { Logger } from '@floodgate/shared/logger';
import { parseMemoryInfo, primaryConnections, withinDeadline, type RedisClient } from '@floodgate/shared/redis';
import { Cluster, type Redis } from 'ioredis';
import { createHysteresisGate, type HysteresisGate } from './hysteresis-gate';

export interface RedisMemoryGuardOptions {
  redis: RedisClient;
  /** used_memory / maxmemory at which enqueueing stops. @defaultValue 0.85 */
  high: number;
  /** …and below which it resumes. @defaultValue 0.75 */
  low: number;
  /** Sampling period. One timer per process, never a Redis call per request. @defaultValue 100 */
  intervalMs: number;
  /**
   * Longest one `INFO` may take. Past it the sample is given up (the reading
   * goes stale) and the next one may start: an answer that never comes must
   * not stop the sampling for good. @defaultValue 2000
   */
  deadlineMs?: number;
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
  /**
   * The nearly full primary that new jobs for `slot` would land on, or
   * undefined when they may go ahead. On one node (or without a slot) any full
   * primary counts; in a cluster only the one serving the slot, so types whose
   * queues live on other masters keep being accepted.
   */
  fullPrimaryFor(slot: number | undefined): PrimaryMemoryUsage | undefined;
  /**
   * In a cluster, whether the primary serving `slot` failed its last reading
   * (down, or failing over): a partitioned type's new jobs then go to
   * partitions on other primaries. Always false on one node (there is no other).
   */
  silentPrimaryFor(slot: number): boolean;
  stop(): void;
}

interface PrimaryState {
  gate: HysteresisGate;
  usage: PrimaryMemoryUsage;
  stale: boolean;
}

/**
 * Keeps Redis from ever answering a write with OOM: well before `maxmemory`,
 * the API stops accepting jobs (503 `redis_memory_high`) while workers drain
 * the backlog, and accepts again once usage is back under the low mark. Every
 * primary is watched on its own (a cluster's masters fill unevenly). A Redis
 * without `maxmemory` has no limit to guard; the guard then stays open.
 */
export function startRedisMemoryGuard(options: RedisMemoryGuardOptions): RedisMemoryGuard {
  const primaries = new Map<string, PrimaryState>();
  /** The nearly full primaries' readings, as of the last sample. */
  let full: PrimaryMemoryUsage[] = [];
  let inFlight = false;
  const deadlineMs = options.deadlineMs ?? 2_000;
  const samplePrimary = async (primary: string, redis: Redis) => {
    let entry = primaries.get(primary);
    try {
      const info = await withinDeadline(redis.info('memory'), deadlineMs, () => new Error(`INFO took over ${deadlineMs} ms`));
      const { usedBytes, maxBytes } = parseMemoryInfo(info);
      if (!entry) primaries.set(primary, (entry = { gate: createHysteresisGate({ high: options.high, low: options.low }), usage: { primary, usedBytes, maxBytes }, stale: false }));
      entry.usage = { primary, usedBytes, maxBytes };
      entry.stale = false;
      const was = entry.gate.shedding;
      const now = entry.gate.update(maxBytes > 0 ? usedBytes / maxBytes : 0);
      if (now !== was) {
        options.logger.warn({ primary, usedBytes, maxBytes, shedding: now }, now ? 'redis memory high: refusing new jobs' : 'redis memory back to normal: accepting jobs');
      }
    } catch (err) {
      // Requests get their own 503 from the enqueue (unavailable or timeout); this only says the reading is old.
      if (entry && !entry.stale) options.logger.warn({ err, primary }, 'redis memory reading failed: keeping the last one');
      if (entry) entry.stale = true;
    }
  };
  const sample = async () => {
    if (inFlight || options.redis.status !== 'ready') return;
    inFlight = true;
    try {
      const current = primaryConnections(options.redis);
      await Promise.all(current.map(({ name, redis }) => samplePrimary(name, redis)));
      // A primary gone after a failover must not keep shedding for slots it no longer serves.
      const names = new Set(current.map((p) => p.name));
      for (const name of primaries.keys()) if (!names.has(name)) primaries.delete(name);
    } finally {
      // Kept between samples: every request asks, and only a sample changes the answer.
      full = [...primaries.values()].filter((p) => p.gate.shedding).map((p) => p.usage);
      inFlight = false;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), options.intervalMs);
  timer.unref();
  return {
    fullPrimaryFor(slot) {
      if (full.length === 0) return undefined;
      if (slot === undefined || !(options.redis instanceof Cluster)) return full[0];
      const owner = options.redis.slots[slot]?.[0];
      return full.find((p) => p.primary === owner);
    },
    silentPrimaryFor(slot) {
      if (!(options.redis instanceof Cluster)) return false;
      const owner = options.redis.slots[slot]?.[0];
      if (owner === undefined) return true;
      // Not sampled (the client dropped its connection to it, or it is new) counts as silent too.
      const entry = primaries.get(owner);
      return entry === undefined || entry.stale;
    },
    stop: () => clearInterval(timer),
  };
}
