import { CommonEnv, enumEnv, intEnv, loadEnv, optionalStringEnv, refineRedisTopology } from '@floodgate/shared/env';
import { perTypeNumbersEnv } from '@floodgate/shared/jobs';
import { StackEnv } from '@floodgate/shared/stack';
import { TracingEnv } from '@floodgate/shared/tracing';
import { z } from 'zod';

/** HTTP statuses separated by commas (`403,429`), each 400-599; blank means the default. */
function statusListEnv(defaultValue: readonly number[]) {
  return z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z
      .string()
      .regex(/^\s*\d{3}\s*(,\s*\d{3}\s*)*$/, 'must be HTTP statuses separated by commas, e.g. 403,429')
      .transform((text) => text.split(',').map((part) => Number(part.trim())))
      .refine((statuses) => statuses.every((status) => status >= 400 && status <= 599), 'each status must be 400-599')
      .optional()
      .transform((statuses) => statuses ?? [...defaultValue]),
  );
}

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
  /**
   * Per-type caps on one tenant's jobs running at once over all workers,
   * `type=N` pairs (`compute=2`), over the catalog's `tenantConcurrency`.
   */
  WORKER_TENANT_CONCURRENCY: perTypeNumbersEnv({ min: 1, max: 100_000 }),
  /** How often a worker process publishes its heartbeat (GET /v1/workers); it expires after 3 beats. @defaultValue 5000 */
  WORKER_HEARTBEAT_MS: intEnv(5_000, { min: 100, max: 60_000 }),
  /** How often this process writes its figures (finished jobs, timings) to the overview's history, in ms. @defaultValue 5000 */
  OVERVIEW_FLUSH_MS: intEnv(5_000, { min: 100, max: 60_000 }),
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
  /** See StackEnv: proxies page-extract fetches through (`http://user:pass@host:port,...`). Unset: direct. */
  FETCH_PROXIES: StackEnv.shape.FETCH_PROXIES,
  /** See StackEnv: a file of proxy URLs, one per line. */
  FETCH_PROXIES_FILE: StackEnv.shape.FETCH_PROXIES_FILE,
  /**
   * How a request picks its exit: `round-robin` (each in turn) or `lru` (the
   * one this process used least recently). A job's `sticky` key overrides both.
   * @defaultValue round-robin
   */
  FETCH_PROXY_ROTATION: enumEnv(['round-robin', 'lru'], 'round-robin'),
  /**
   * Requests one worker process sends through one proxy at once; more wait
   * for a slot (within the job's time) or take another exit. A proxy just out
   * of a cool-down gets one at a time until a request succeeds.
   * @defaultValue 16
   */
  FETCH_PROXY_MAX_CONCURRENCY: intEnv(16, { min: 1, max: 100_000 }),
  /** Target statuses that mean an exit is blocked (407 from the proxy always does). @defaultValue 403,429 */
  FETCH_PROXY_BLOCK_STATUSES: statusListEnv([403, 429]),
  /** First cool-down of a failing proxy; each further one in a row doubles. @defaultValue 5000 */
  FETCH_PROXY_COOLDOWN_BASE_MS: intEnv(5_000, { min: 10, max: 3_600_000 }),
  /** Longest cool-down. @defaultValue 300000 (5 min) */
  FETCH_PROXY_COOLDOWN_MAX_MS: intEnv(300_000, { min: 10, max: 86_400_000 }),
  /** When set, a HEAD to this URL through each cooling proxy, every interval, ends its cool-down when it answers. */
  FETCH_PROXY_HEALTHCHECK_URL: optionalStringEnv().refine((value) => value === undefined || /^https?:\/\//.test(value) && URL.canParse(value), 'must be an http(s) URL'),
  /** How often cooling proxies are checked (when FETCH_PROXY_HEALTHCHECK_URL is set). @defaultValue 10000 */
  FETCH_PROXY_HEALTHCHECK_INTERVAL_MS: intEnv(10_000, { min: 100, max: 3_600_000 }),
  /** OpenTelemetry tracing (`OTEL_*`): see TracingEnv. Off unless an exporter is set. */
  ...TracingEnv.shape,
}).refine((env) => env.FETCH_PROXY_COOLDOWN_BASE_MS <= env.FETCH_PROXY_COOLDOWN_MAX_MS, {
  message: 'FETCH_PROXY_COOLDOWN_BASE_MS must not be above FETCH_PROXY_COOLDOWN_MAX_MS',
  path: ['FETCH_PROXY_COOLDOWN_BASE_MS'],
}).superRefine(refineRedisTopology);
export type WorkerEnv = z.infer<typeof WorkerEnv>;

/** The worker's configuration, parsed once; exits with a readable message when invalid. */
export const env: WorkerEnv = loadEnv(WorkerEnv, process.env);

