import { boolEnv, CommonEnv, intEnv, loadEnv } from '@floodgate/shared/env';
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
  /**
   * Let page-extract reach loopback, private, link-local and other internal
   * addresses. Off, a job cannot be used to probe the network the worker sits
   * in (SSRF) or read cloud metadata; turn it on only for local development.
   * @defaultValue false
   */
  PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: boolEnv(false),
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;

/** The worker's configuration, parsed once; exits with a readable message when invalid. */
export const env: WorkerEnv = loadEnv(WorkerEnv, process.env);
