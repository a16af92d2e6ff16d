import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '@floodgate/shared/logger';
import { writeHeartbeat, type WorkerHeartbeat } from '@floodgate/shared/workers';
import type { Worker } from 'bullmq';
import { heartbeatKey, type RedisClient } from '@floodgate/shared/redis';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { settlesWithin } from '../shutdown/settles-within';

export interface HeartbeatOptions {
  redis: RedisClient;
  prefix: string;
  /** The process's workers, each with the job type it runs. */
  workers: ReadonlyArray<{ type: string; worker: Worker }>;
  metrics: WorkerMetrics;
  cpuThreads: number;
  /** Beat period; a beat lives three periods, so one missed write is no death. */
  intervalMs: number;
  logger: Logger;
}

/**
 * Publishes this process's heartbeat to Redis every `intervalMs` until
 * stopped; `GET /v1/workers` lists the live ones, and a process that dies
 * drops off once its last beat expires. Returns the stop function, which also
 * deletes the beat (a clean stop should not look alive for 15 s), waiting at
 * most `redisMs` (default 1 s) for Redis: an unreachable one must not hold up the drain.
 */
export function startHeartbeat(options: HeartbeatOptions): (redisMs?: number) => Promise<void> {
  const host = hostname();
  const id = `${host}:${process.pid}`;
  const startedAt = new Date().toISOString();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  let stopped = false;
  const beat = async () => {
    // A beat begun just before the stop must not write the key back after its DEL.
    if (stopped) return;
    const activeOf = (type: string) => options.metrics.activeByType.get(type)?.value ?? 0;
    const heartbeat: WorkerHeartbeat = {
      id,
      host,
      pid: process.pid,
      queues: queuesOf(options.workers, activeOf),
      cpuThreads: options.cpuThreads,
      eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
      rssBytes: process.memoryUsage.rss(),
      uptimeSeconds: Math.round(process.uptime()),
      startedAt,
      beatAt: new Date().toISOString(),
    };
    loopDelay.reset();
    await writeHeartbeat(options.redis, options.prefix, heartbeat, options.intervalMs * 3);
  };
  // While Redis is away a write waits for it; never stack a second one behind it.
  let inFlight = false;
  const beatSafely = () => {
    if (inFlight) return;
    inFlight = true;
    beat()
      .catch((err: unknown) => options.logger.warn({ err }, 'heartbeat not written'))
      .finally(() => (inFlight = false));
  };

  beatSafely();
  const timer = setInterval(beatSafely, options.intervalMs);
  timer.unref();
  return async (redisMs = 1_000) => {
    stopped = true;
    clearInterval(timer);
    loopDelay.disable();
    // Unanswered, the beat simply expires.
    await settlesWithin(options.redis.del(heartbeatKey(options.prefix, id)), redisMs);
  };
}

/** One entry per job type: a partitioned type's Workers (one per partition) add up their concurrency. */
function queuesOf(workers: ReadonlyArray<{ type: string; worker: Worker }>, activeOf: (type: string) => number): WorkerHeartbeat['queues'] {
  const concurrency = new Map<string, number>();
  for (const { type, worker } of workers) concurrency.set(type, (concurrency.get(type) ?? 0) + worker.concurrency);
  return [...concurrency].map(([type, total]) => ({ type, concurrency: total, active: activeOf(type) }));
}
