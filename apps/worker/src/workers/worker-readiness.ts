import type { Readiness, ReadinessProbe } from '@floodgate/shared/metrics';
import { withinDeadline, type RedisClient } from '@floodgate/shared/redis';
import type { Worker } from 'bullmq';

/** Longest Redis may take to answer PING for the process to count as ready. */
export const READY_PING_DEADLINE_MS = 500;

/** What `/readyz` of a worker process looks at, as the process moves from starting to running to stopping. */
export interface WorkerReadiness {
  /** The probe the metrics server asks. */
  probe: ReadinessProbe;
  /** The workers run (and `workers()` lists them, partitions opened later included): from now on Redis and they are checked. */
  running(redis: RedisClient, workers: () => readonly Worker[]): void;
  /** Shutdown began: not ready from now on, so an orchestrator stops counting on this process while it drains. */
  stopping(): void;
}

/**
 * Readiness of a worker process: it is ready while its BullMQ Workers run and
 * Redis answers PING within `pingDeadlineMs`. Not while it starts (it may wait
 * for Redis for a while) or once it stops (the drain may take
 * WORKER_DRAIN_GRACE_MS). The process is alive all along: that is /healthz.
 */
export function createWorkerReadiness(pingDeadlineMs = READY_PING_DEADLINE_MS): WorkerReadiness {
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let redis: RedisClient | undefined;
  let workers: () => readonly Worker[] = () => [];

  const redisCheck = async (): Promise<Readiness[string]> => {
    if (!redis) return { ok: false, detail: 'checked once the workers run' };
    // Not a PING on a connection that is down: the worker connection queues commands while offline, and each probe would add one.
    if (redis.status !== 'ready') return { ok: false, detail: `connection ${redis.status}` };
    try {
      await withinDeadline(redis.ping(), pingDeadlineMs, () => new Error(`no answer to PING within ${pingDeadlineMs} ms`));
      return { ok: true, detail: 'ok' };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  };

  const workersCheck = (): Readiness[string] => {
    if (phase !== 'running') return { ok: false, detail: phase };
    const all = workers();
    const stopped = all.filter((worker) => !worker.isRunning()).length;
    if (all.length === 0 || stopped > 0) return { ok: false, detail: `${stopped} of ${all.length} workers not running` };
    return { ok: true, detail: `${all.length} running` };
  };

  return {
    probe: async () => ({ workers: workersCheck(), redis: await redisCheck() }),
    running(connection, list) {
      redis = connection;
      workers = list;
      if (phase === 'starting') phase = 'running';
    },
    stopping() {
      phase = 'stopping';
    },
  };
}
