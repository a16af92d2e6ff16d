/**
 * How a worker process trades recovery speed for Redis traffic: a dead process's jobs run again after at most
 * lockDuration + stalledInterval (15 s by default, BullMQ's is 60 s), but a loop blocked over 10 s loses its jobs to
 * another process, so they run twice (hence CPU-bound work on worker threads). See docs/operations.md, "Crashes".
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
