import type { z } from 'zod';

/** How long finished jobs of one kind are kept, by count and by age (whichever limit is hit first). */
export interface RetentionPolicy {
  /** Keep at most this many jobs. */
  count: number;
  /** Keep jobs at most this long, in seconds. */
  ageSeconds: number;
}

/** Everything the API and the workers need to know about one job type. */
export interface JobDefinitionInput<P extends z.ZodType, R extends z.ZodType> {
  /** URL-safe name; also the BullMQ queue name. */
  type: string;
  /** One line for people, shown by `GET /v1/job-types`. */
  description: string;
  /** Schema of the payload. The API validates with it; the worker re-validates. */
  payload: P;
  /** Schema of the result the handler returns. */
  result: R;
  /**
   * Jobs of this type one worker process runs at once.
   * @defaultValue 10
   */
  concurrency?: number;
  /**
   * Whether the work burns CPU rather than waiting on I/O. CPU-bound handlers are
   * the ones that must not freeze the event loop (it renews job locks).
   * @defaultValue false
   */
  cpuBound?: boolean;
  /**
   * Time one attempt may take, in milliseconds; past it the attempt fails with
   * `job_timeout` and its signal aborts.
   * @defaultValue 30000
   */
  timeoutMs?: number;
  /**
   * Attempts in total, the first included.
   * @defaultValue 3
   */
  attempts?: number;
  /**
   * Delay before retry N is `delayMs * 2^(N-1)` (exponential) or `delayMs`
   * (fixed), of which a random share up to `jitter` (0..1) is taken off, so jobs
   * that failed together (an upstream outage) do not all retry in the same instant.
   * @defaultValue `{ type: 'exponential', delayMs: 1000, jitter: 0.5 }`
   */
  backoff?: { type: 'exponential' | 'fixed'; delayMs: number; jitter?: number };
  /**
   * How many finished jobs Redis keeps. Without a bound, completed jobs pile up
   * until Redis is full.
   * @defaultValue completed: 1000 jobs or 1 hour; failed: 5000 jobs or 7 days
   */
  retention?: { completed?: Partial<RetentionPolicy>; failed?: Partial<RetentionPolicy> };
  /**
   * Admission: jobs of this type one client may enqueue per second, shared by
   * every API process through Redis; a burst of as many again is allowed over
   * 10 s. Past it: 429 `rate_limited`. Env override: API_RATE_LIMIT.
   * @defaultValue 1000
   */
  rateLimitPerSecond?: number;
  /**
   * Admission: jobs waiting, delayed or prioritized above which new ones are
   * refused with 429 `queue_full`, so one flooded type cannot fill Redis.
   * Env override: API_BACKLOG_CAP.
   * @defaultValue 100000
   */
  backlogCap?: number;
  /**
   * Fair shares between tenants (each API key, and each group a key names): workers take the next job of the tenant whose
   * turn it is, by the keys' weights, so one tenant's flood never makes the others wait. Env override: QUEUE_FAIRNESS.
   * @defaultValue true
   */
  fair?: boolean;
  /**
   * At most this many of one tenant's jobs run (or stand dispatched in BullMQ's
   * wait list) at once, over all workers; with partitions, each partition
   * holds a share (at least 1). Env override: WORKER_TENANT_CONCURRENCY.
   * @defaultValue no cap: a tenant alone may use every worker
   */
  tenantConcurrency?: number;
  /**
   * Admission: one tenant's jobs waiting for their turn (delayed included) above which its new ones get 429
   * `tenant_queue_full` while others are still taken; split over partitions. Env override: API_TENANT_BACKLOG_CAP.
   * @defaultValue a quarter of the type's backlog cap (`backlogCap`, or API_BACKLOG_CAP where it names the type)
   */
  tenantBacklogCap?: number;
  /**
   * Politeness towards what the jobs call: at most `max` jobs of this type
   * start per `durationMs`, across all workers (BullMQ's rate limiter).
   * @defaultValue no limit
   */
  workerRateLimit?: { max: number; durationMs: number };
  /**
   * At most this many jobs of this type run at once across all workers
   * (BullMQ's global concurrency), whatever the per-process concurrency.
   * @defaultValue no limit
   */
  globalConcurrency?: number;
  /**
   * Largest result kept, in bytes of JSON. A larger one fails the job with
   * `result_too_large` instead of bloating Redis with every retained copy.
   * @defaultValue 262144 (256 KiB)
   */
  maxResultBytes?: number;
  /**
   * Hands the handler up to `size` jobs at once, or fewer once the first has waited `maxWaitMs`; each still completes,
   * fails and retries on its own. Worth it when a fixed cost per call dwarfs the work per job. `size` must not exceed
   * `concurrency` (so `concurrency / size` batches run together).
   * @defaultValue no batching: one job per call
   */
  batch?: BatchPolicy;
  /**
   * Queues this type's jobs are spread over: one queue lives on one Redis primary, so a hot type split into N spreads over
   * a cluster's primaries (docs/job-types.md, "Partitions of a hot type"). Env override: QUEUE_PARTITIONS.
   * @defaultValue 1
   */
  partitions?: number;
  /**
   * Top-level string payload fields holding URLs the handler will fetch: the API refuses (422) a private, loopback or
   * link-local target unless PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS is set. The handler must still check every address it
   * connects to (`checkFetchTarget`).
   * @defaultValue none: no field is a URL to fetch
   */
  urlFields?: readonly string[];
  /**
   * Its handler gets `ctx.fetchPage`: SSRF-guarded, size- and time-bounded, through the worker's proxy pool when
   * FETCH_PROXIES is set (docs/job-types.md, "Fetching pages"). Without it, `ctx.fetchPage` rejects.
   * @defaultValue false
   */
  fetchesPages?: boolean;
}

/** How a batch type groups its jobs. */
export interface BatchPolicy {
  /** Most jobs in one call. */
  readonly size: number;
  /** Longest a job waits for others before a smaller batch goes, in milliseconds. */
  readonly maxWaitMs: number;
}

/** A job definition with every default filled in. */
export interface JobDefinition<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly description: string;
  readonly payload: P;
  readonly result: R;
  readonly concurrency: number;
  readonly cpuBound: boolean;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly backoff: { readonly type: 'exponential' | 'fixed'; readonly delayMs: number; readonly jitter: number };
  readonly retention: { readonly completed: RetentionPolicy; readonly failed: RetentionPolicy };
  readonly rateLimitPerSecond: number;
  readonly backlogCap: number;
  readonly workerRateLimit: { readonly max: number; readonly durationMs: number } | undefined;
  readonly globalConcurrency: number | undefined;
  readonly maxResultBytes: number;
  readonly batch: BatchPolicy | undefined;
  readonly partitions: number;
  readonly fair: boolean;
  readonly tenantConcurrency: number | undefined;
  /** Undefined: a quarter of the type's backlog cap as the API applies it (see {@link tenantBacklogCapOf}). */
  readonly tenantBacklogCap: number | undefined;
  readonly urlFields: readonly string[];
  readonly fetchesPages: boolean;
}

/** The tenant backlog cap of a type whose whole backlog cap is `backlogCap` (the catalog's, or API_BACKLOG_CAP). */
export function tenantBacklogCapOf(definition: Pick<JobDefinition, 'tenantBacklogCap'>, backlogCap: number): number {
  return definition.tenantBacklogCap ?? Math.max(1, Math.ceil(backlogCap / 4));
}

const TYPE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Declares a job type, filling defaults and checking the options make sense. */
export function defineJob<P extends z.ZodType, R extends z.ZodType>(input: JobDefinitionInput<P, R>): JobDefinition<P, R> {
  if (!TYPE_NAME.test(input.type)) {
    throw new Error(`Job type "${input.type}" must be lowercase letters, digits and dashes, starting with a letter`);
  }
  const definition: JobDefinition<P, R> = {
    type: input.type,
    description: input.description,
    payload: input.payload,
    result: input.result,
    concurrency: input.concurrency ?? 10,
    cpuBound: input.cpuBound ?? false,
    timeoutMs: input.timeoutMs ?? 30_000,
    attempts: input.attempts ?? 3,
    backoff: { type: 'exponential', delayMs: 1_000, jitter: 0.5, ...input.backoff },
    retention: {
      completed: { count: 1_000, ageSeconds: 3_600, ...input.retention?.completed },
      failed: { count: 5_000, ageSeconds: 7 * 24 * 3_600, ...input.retention?.failed },
    },
    rateLimitPerSecond: input.rateLimitPerSecond ?? 1_000,
    backlogCap: input.backlogCap ?? 100_000,
    workerRateLimit: input.workerRateLimit,
    globalConcurrency: input.globalConcurrency,
    maxResultBytes: input.maxResultBytes ?? 256 * 1_024,
    batch: input.batch ? Object.freeze({ ...input.batch }) : undefined,
    partitions: input.partitions ?? 1,
    fair: input.fair ?? true,
    tenantConcurrency: input.tenantConcurrency,
    tenantBacklogCap: input.tenantBacklogCap,
    urlFields: Object.freeze([...(input.urlFields ?? [])]),
    fetchesPages: input.fetchesPages ?? false,
  };
  if (!(definition.backoff.jitter >= 0 && definition.backoff.jitter <= 1)) {
    throw new Error(`Job type "${input.type}": backoff.jitter must be between 0 and 1`);
  }
  for (const [name, value] of Object.entries({
    concurrency: definition.concurrency,
    timeoutMs: definition.timeoutMs,
    attempts: definition.attempts,
    rateLimitPerSecond: definition.rateLimitPerSecond,
    backlogCap: definition.backlogCap,
    maxResultBytes: definition.maxResultBytes,
    ...(definition.tenantBacklogCap === undefined ? {} : { tenantBacklogCap: definition.tenantBacklogCap }),
    ...(definition.tenantConcurrency === undefined ? {} : { tenantConcurrency: definition.tenantConcurrency }),
    ...(definition.globalConcurrency === undefined ? {} : { globalConcurrency: definition.globalConcurrency }),
    ...(definition.batch === undefined ? {} : { 'batch.size': definition.batch.size }),
  })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`Job type "${input.type}": ${name} must be a positive integer`);
  }
  if (definition.batch) {
    if (!Number.isInteger(definition.batch.maxWaitMs) || definition.batch.maxWaitMs < 0) {
      throw new Error(`Job type "${input.type}": batch.maxWaitMs must be a non-negative integer`);
    }
    // The worker's concurrency is what fills a batch: a larger one could never fill.
    if (definition.batch.size > definition.concurrency) {
      throw new Error(`Job type "${input.type}": batch.size (${definition.batch.size}) must not exceed concurrency (${definition.concurrency})`);
    }
  }
  const partitionProblem = partitionCountProblem(definition, definition.partitions);
  if (partitionProblem) throw new Error(`Job type "${input.type}": ${partitionProblem}`);
  return Object.freeze(definition);
}

/** Most partitions one type may have: each is a queue, a blocking connection per worker process, and a Bull Board entry. */
export const MAX_PARTITIONS = 64;

/**
 * Why `count` partitions cannot work for `definition`, or undefined when they
 * can. Limits that BullMQ keeps per queue are split over the partitions
 * (`shareOf`), so each partition needs at least one of them.
 */
export function partitionCountProblem(definition: Pick<JobDefinition, 'globalConcurrency' | 'workerRateLimit'>, count: number): string | undefined {
  if (!Number.isInteger(count) || count < 1 || count > MAX_PARTITIONS) return `partitions must be a whole number from 1 to ${MAX_PARTITIONS}, not ${count}`;
  if (definition.globalConcurrency !== undefined && count > definition.globalConcurrency) {
    return `${count} partitions cannot share a globalConcurrency of ${definition.globalConcurrency} (each partition needs at least 1)`;
  }
  if (definition.workerRateLimit && count > definition.workerRateLimit.max) {
    return `${count} partitions cannot share a workerRateLimit of ${definition.workerRateLimit.max} jobs (each partition needs at least 1)`;
  }
  return undefined;
}
