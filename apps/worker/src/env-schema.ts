import { boolEnv, CommonEnv, enumEnv, intEnv, optionalStringEnv, refineRedisTopology } from '@floodgate/shared/env';
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

/**
 * Every variable the worker reads: the common ones, those it shares with the
 * stack (taken from StackEnv, so their defaults are written once), and its own.
 * Side-effect free, unlike env.ts: the env reference (`npm run env:example`) reads it.
 */
export const WorkerEnv = CommonEnv.extend({
  WORKER_DRAIN_GRACE_MS: StackEnv.shape.WORKER_DRAIN_GRACE_MS,
  /** For types whose jobs may be cut at a deploy and run again from the start (idempotent, and a fast deploy matters more). */
  WORKER_ALLOW_JOBS_PAST_DRAIN: boolEnv(false).describe(
    "Start even when a type's timeoutMs is longer than WORKER_DRAIN_GRACE_MS (a warning instead of a refusal): such jobs are cut at each deploy and run again.",
  ),
  WORKER_METRICS_PORT: StackEnv.shape.WORKER_METRICS_PORT,
  METRICS_HOST: StackEnv.shape.METRICS_HOST,
  NODE_APP_INSTANCE: StackEnv.shape.NODE_APP_INSTANCE,
  WORKER_CPU_THREADS: intEnv(0, { min: 0, max: 256 }).describe("Threads of each worker process's CPU pool (the CPU-bound job types); 0: one per core."),
  /** See WorkerTuning: what the lock and the stalled check trade. */
  WORKER_LOCK_DURATION_MS: intEnv(10_000, { min: 1_000 }).describe(
    "A job's lock (ms), renewed every half of it: a dead process's jobs run again after about this + WORKER_STALLED_INTERVAL_MS.",
  ),
  WORKER_STALLED_INTERVAL_MS: intEnv(5_000, { min: 500 }).describe('How often stalled jobs (their lock expired) are looked for (ms).'),
  /** A poison job that kills every process it touches must end, not take the fleet down one process at a time. */
  WORKER_MAX_STALLED_COUNT: intEnv(1, { min: 0, max: 100 }).describe('Stalls a job survives before it fails for good.'),
  WORKER_CONCURRENCY: perTypeNumbersEnv({ min: 1, max: 100_000 }).describe(
    "Per-type concurrency of each worker process, type=N,... (page-extract=500,compute=1); unlisted types keep the catalog's.",
  ),
  WORKER_TENANT_CONCURRENCY: perTypeNumbersEnv({ min: 1, max: 100_000 }).describe(
    "Most of one tenant's jobs running at once per type over all workers, type=N,... (compute=2); unlisted: the catalog's (no cap).",
  ),
  WORKER_HEARTBEAT_MS: intEnv(5_000, { min: 100, max: 60_000 }).describe('How often a worker process publishes its heartbeat (GET /v1/workers), in ms; a beat expires after three.'),
  OVERVIEW_FLUSH_MS: StackEnv.shape.OVERVIEW_FLUSH_MS,
  /** Read no further: a larger page fails the job instead of filling the worker's memory. */
  PAGE_EXTRACT_MAX_BYTES: intEnv(2 * 1024 * 1024, { min: 1 }).describe("Most bytes of a page's body a page fetch reads (page-extract, every type with fetchesPages); more fails the job (response_too_large)."),
  PAGE_EXTRACT_FETCH_TIMEOUT_MS: intEnv(10_000, { min: 1 }).describe('Time one page fetch may take (ms), redirects and body included.'),
  PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: StackEnv.shape.PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS,
  FETCH_PROXIES: StackEnv.shape.FETCH_PROXIES,
  FETCH_PROXIES_FILE: StackEnv.shape.FETCH_PROXIES_FILE,
  FETCH_PROXY_ROTATION: enumEnv(['round-robin', 'lru'], 'round-robin').describe(
    "How a request picks its exit: round-robin, or lru (the proxy this process used least recently); a job's sticky key overrides both.",
  ),
  /** More wait for a slot (within the job's time) or take another exit; a proxy just out of a cool-down gets one at a time until a request succeeds. */
  FETCH_PROXY_MAX_CONCURRENCY: intEnv(16, { min: 1, max: 100_000 }).describe('Requests one worker process sends through one proxy at once.'),
  FETCH_PROXY_BLOCK_STATUSES: statusListEnv([403, 429]).describe('Target statuses that mean an exit is blocked (a 407 from the proxy always does).'),
  FETCH_PROXY_COOLDOWN_BASE_MS: intEnv(5_000, { min: 10, max: 3_600_000 }).describe('First cool-down of a failing proxy (ms); each further one in a row doubles.'),
  FETCH_PROXY_COOLDOWN_MAX_MS: intEnv(300_000, { min: 10, max: 86_400_000 }).describe('Longest cool-down of a failing proxy (ms).'),
  FETCH_PROXY_HEALTHCHECK_URL: optionalStringEnv()
    .refine((value) => value === undefined || (/^https?:\/\//.test(value) && URL.canParse(value)), 'must be an http(s) URL')
    .describe('When set, a HEAD to this URL through each cooling proxy, every interval; an answer ends its cool-down.'),
  FETCH_PROXY_HEALTHCHECK_INTERVAL_MS: intEnv(10_000, { min: 100, max: 3_600_000 }).describe(
    'How often cooling proxies are checked (ms, once per proxy per interval across all processes).',
  ),
  /** OpenTelemetry tracing (`OTEL_*`): see TracingEnv. Off unless an exporter is set. */
  ...TracingEnv.shape,
})
  .refine((env) => env.FETCH_PROXY_COOLDOWN_BASE_MS <= env.FETCH_PROXY_COOLDOWN_MAX_MS, {
    message: 'FETCH_PROXY_COOLDOWN_BASE_MS must not be above FETCH_PROXY_COOLDOWN_MAX_MS',
    path: ['FETCH_PROXY_COOLDOWN_BASE_MS'],
  })
  .superRefine(refineRedisTopology);
export type WorkerEnv = z.infer<typeof WorkerEnv>;
