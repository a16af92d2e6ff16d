import { CommonEnv, intEnv, loadEnv } from '@floodgate/shared/env';
import { perTypeNumbersEnv } from '@floodgate/shared/jobs';
import { StackEnv } from '@floodgate/shared/stack';
import type { z } from 'zod';

/** Every variable the worker reads: the common ones plus its own. */
export const WorkerEnv = CommonEnv.extend({
  /** See StackEnv: pm2's kill_timeout is derived from it. @defaultValue 35000 */
  WORKER_DRAIN_GRACE_MS: StackEnv.shape.WORKER_DRAIN_GRACE_MS,
  /** See StackEnv. @defaultValue 9500 (+ NODE_APP_INSTANCE) */
  WORKER_METRICS_PORT: StackEnv.shape.WORKER_METRICS_PORT,
  METRICS_HOST: StackEnv.shape.METRICS_HOST,
  NODE_APP_INSTANCE: StackEnv.shape.NODE_APP_INSTANCE,
  /**
   * Threads of the CPU pool that runs the CPU-bound job types; 0 means one per core.
   * @defaultValue 0
   */
  WORKER_CPU_THREADS: intEnv(0, { min: 0, max: 256 }),
  /** See WorkerTuning. @defaultValue 10000 */
  WORKER_LOCK_DURATION_MS: intEnv(10_000, { min: 1_000 }),
  /** See WorkerTuning. @defaultValue 5000 */
  WORKER_STALLED_INTERVAL_MS: intEnv(5_000, { min: 500 }),
  /** See WorkerTuning. @defaultValue 1 */
  WORKER_MAX_STALLED_COUNT: intEnv(1, { min: 0, max: 100 }),
  /**
   * Per-type concurrency overrides, `type=N` pairs separated by commas
   * (`page-extract=500,compute=1`); unlisted types keep the catalog's.
   */
  WORKER_CONCURRENCY: perTypeNumbersEnv({ min: 1, max: 100_000 }),
  /** How often a worker process publishes its heartbeat (GET /v1/workers); it expires after 3 beats. @defaultValue 5000 */
  WORKER_HEARTBEAT_MS: intEnv(5_000, { min: 100, max: 60_000 }),
  /**
   * Most bytes of a page's body page-extract reads; a larger page fails the job
   * (`response_too_large`) instead of filling the worker's memory.
   * @defaultValue 2097152 (2 MiB)
   */
  PAGE_EXTRACT_MAX_BYTES: intEnv(2 * 1024 * 1024, { min: 1 }),
  /**
   * Time one page fetch (redirects and body included) may take.
   * @defaultValue 10000
   */
  PAGE_EXTRACT_FETCH_TIMEOUT_MS: intEnv(10_000, { min: 1 }),
  /** See StackEnv: SSRF protection, shared with the API. @defaultValue false */
  PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: StackEnv.shape.PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS,
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;

/** The worker's configuration, parsed once; exits with a readable message when invalid. */
export const env: WorkerEnv = loadEnv(WorkerEnv, process.env);

