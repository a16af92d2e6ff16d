/**
 * How a worker process trades recovery speed for Redis traffic and safety.
 *
 * A job's lock lasts `lockDurationMs` and is renewed every half of it; the
 * stalled-job check runs every `stalledIntervalMs` and hands jobs whose lock
 * expired to another worker. So a job of a process that died (SIGKILL, OOM,
 * power) runs again after at most lockDuration + stalledInterval: 15 s with the
 * defaults, against BullMQ's 60 s. The price: one renewal per active job every
 * 5 s, a stalled check every 5 s, and a process whose event loop blocks for
 * more than 10 s loses its jobs to another process and they run twice. CPU-bound
 * work runs on worker threads precisely so the loop never blocks that long.
 */
export interface WorkerTuning {
  /** @defaultValue 10000 */
  lockDurationMs: number;
  /** @defaultValue 5000 */
  stalledIntervalMs: number;
  /**
   * Times a job may stall (its process died under it) before it fails for good
   * instead of running again: a poison job that kills every process it touches
   * must end, not take the fleet down one process at a time.
   * @defaultValue 1
   */
  maxStalledCount: number;
  /** Per-type concurrency overrides (WORKER_CONCURRENCY); unset types use the catalog. */
  concurrency: Readonly<Record<string, number>>;
  /** Per-type tenant concurrency caps (WORKER_TENANT_CONCURRENCY); unset types use the catalog's `tenantConcurrency`. */
  tenantConcurrency?: Readonly<Record<string, number>>;
}

export const DEFAULT_TUNING: WorkerTuning = {
  lockDurationMs: 10_000,
  stalledIntervalMs: 5_000,
  maxStalledCount: 1,
  concurrency: {},
};
