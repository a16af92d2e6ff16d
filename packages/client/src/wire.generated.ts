// Generated from the API route table (packages/shared/src/wire/routes.ts) by `npm run docs:generate`: do not edit.

export type JobState = 'waiting' | 'delayed' | 'prioritized' | 'active' | 'completed' | 'failed' | 'waiting-children' | 'unknown' | 'expired';

export type ListableJobState = 'waiting' | 'delayed' | 'prioritized' | 'active' | 'completed' | 'failed' | 'waiting-children';

export type NewJobState = 'waiting' | 'delayed' | 'prioritized';

export interface JobLinks {
  self: string;
}

export type ErrorCode = 'invalid_json' | 'invalid_query' | 'invalid_search' | 'invalid_idempotency_key' | 'invalid_schedule_id' | 'invalid_job_id' | 'invalid_tenant' | 'json_too_deep' | 'request_aborted' | 'invalid_content_length' | 'bad_request' | 'unauthorized' | 'forbidden' | 'unknown_job_type' | 'job_not_found' | 'schedule_not_found' | 'route_not_found' | 'method_not_allowed' | 'job_not_failed' | 'idempotency_conflict' | 'job_finished' | 'job_scheduled' | 'job_id_taken' | 'body_too_large' | 'unsupported_media_type' | 'unsupported_charset' | 'unsupported_encoding' | 'invalid_payload' | 'invalid_schedule' | 'reserved_job_id' | 'too_many_jobs' | 'rate_limited' | 'queue_full' | 'too_many_searches' | 'tenant_queue_full' | 'headers_too_large' | 'internal_error' | 'redis_memory_high' | 'overloaded' | 'redis_unavailable' | 'enqueue_outcome_unknown' | 'cancel_unheard' | 'redis_timeout' | 'replication_unconfirmed';

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** Code-specific: `issues` for validation errors, `backlog` and `cap` for queue_full, ... */
  details?: unknown;
}

export interface Accepted {
  id: string;
  type: string;
  state: NewJobState;
  links: JobLinks;
}

export interface BulkItemStored {
  id: string;
  state: JobState;
  created: boolean;
  links: JobLinks;
}

export interface BulkItemFailed {
  id?: string;
  error: ApiError;
}

export interface BulkAccepted {
  type: string;
  status: 'all' | 'some' | 'none';
  /** Items Redis holds. */
  count: number;
  jobs: Array<BulkItemStored | BulkItemFailed>;
}

export interface OutcomeUnknownDetails {
  id: string;
  type: string;
  links: JobLinks;
}

export interface Cancelled {
  id: string;
  type: string;
  state: 'removed' | 'cancelling';
  receivers?: number;
  links: JobLinks;
}

export interface Retried {
  id: string;
  type: string;
  state: JobState;
  links: JobLinks;
}

export interface JobView {
  id: string;
  type: string;
  state: JobState;
  /** What the handler last reported: a number or an object; 0 before any report. */
  progress: unknown;
  /** Attempts made so far. */
  attempts: number;
  /** The handler's result once `state` is `completed`, else null. */
  result: unknown;
  /** The last attempt's failure reason, also while a retry is pending (so it is not proof of failure: `state` is). Floodgate's own reasons start with a code and a colon, e.g. `job_timeout: attempt exceeded 100 ms`. */
  error: string | null;
  /** When it was enqueued (ISO 8601), or null when unknown. */
  createdAt: string | null;
  /** When its last attempt started (ISO 8601), or null before any. */
  startedAt: string | null;
  /** When it completed or last failed (ISO 8601), or null. */
  finishedAt: string | null;
  /** `host:pid` of the worker process that ran (or runs) it. */
  processedBy: string | null;
}

export interface JobPage {
  jobs: JobView[];
  nextCursor: string | null;
  scanned?: number;
  /** Search only: bytes of job data read (payloads scanned, matches in full). */
  bytesRead?: number;
  /** Search only: `end`, every job was read (`nextCursor` is null); `limit`, `scan`, your bounds were reached; `bytes`, `time`, the server's (4 MiB of job data, 2 s) were, before `scan` jobs were read: go on with `nextCursor`. */
  stoppedBy?: 'end' | 'limit' | 'scan' | 'bytes' | 'time';
}

export interface QueueStatus {
  type: string;
  paused: boolean;
  counts: Partial<Record<'waiting' | 'delayed' | 'prioritized' | 'active' | 'completed' | 'failed' | 'waiting-children', number>>;
  /** Ids (`host:pid`) of the live worker processes running this type. */
  workers: string[];
}

export interface QueuePaused {
  type: string;
  paused: boolean;
}

export interface TenantStatus {
  /** `key:<id>` (an API key), `ip:<address>` (auth disabled) or `anonymous`. */
  tenant: string;
  /** Its jobs waiting for their turn, delayed ones included. */
  backlog: number;
  /** Its jobs dispatched and not finished: running, or next in line. */
  running: number;
  /** Paused by an operator: its jobs wait, the type's other tenants run. */
  paused: boolean;
  /** Its share against other tenants with jobs waiting (its key's weight). */
  weight: number;
  /** From added (or due) to started, over its recent jobs; null before any. */
  waitToStart: {
    p50Ms: number;
    p95Ms: number;
    samples: number;
  } | null;
}

export interface TenantPage {
  type: string;
  tenants: TenantStatus[];
  nextCursor: string | null;
}

export interface TenantPaused {
  type: string;
  tenant: string;
  paused: boolean;
}

export interface Schedule {
  id: string;
  type: string;
  everyMs: number | null;
  cron: string | null;
  tz: string | null;
  next: string | null;
  iterations: number;
  payload: unknown;
}

export interface ScheduleRemoved {
  id: string;
  removed: true;
}

export interface JobTypeInfo {
  type: string;
  description: string;
  concurrency: number;
  cpuBound: boolean;
  timeoutMs: number;
  attempts: number;
  backoff: Record<string, unknown>;
  retention: Record<string, unknown>;
  payloadSchema: Record<string, unknown>;
  resultSchema: Record<string, unknown>;
}

export interface WorkerHeartbeat {
  /** `host:pid`, the same as a job's `processedBy`. */
  id: string;
  host: string;
  pid: number;
  /** Job types it runs, with their concurrency and the attempts active now. */
  queues: Array<{
    type: string;
    concurrency: number;
    active: number;
  }>;
  /** Threads of its CPU pool. */
  cpuThreads: number;
  /** Event-loop delay p99 over the last beat, in milliseconds. */
  eventLoopDelayP99Ms: number;
  rssBytes: number;
  uptimeSeconds: number;
  startedAt: string;
  /** When this beat was written. */
  beatAt: string;
}

export interface ProxyStatus {
  /** Redis-safe id (`127.0.0.1_8080`). */
  id: string;
  /** `host:port`, as results and metrics name it. */
  proxy: string;
  /** The URL with credentials masked (`http://***:***@host:port`). */
  url: string;
  state: 'healthy' | 'cooling';
  /** Whether this process's configuration lists it (workers may run with another list). */
  configured: boolean;
  successes: number;
  failures: number;
  /** Cool-downs ended by the background health check. */
  revivals: number;
  /** Consecutive cool-downs: the next one lasts base × 2^strikes, up to the maximum. */
  strikes: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSuccessAt: string | null;
  /** When the current cool-down ends (ISO time), or null when healthy. */
  coolingUntil: string | null;
}

export interface Backoff {
  /** `fixed`: `delayMs` every time; `exponential`: `delayMs * 2^(retry - 1)`. */
  type: 'fixed' | 'exponential';
  /** Up to 1 hour. */
  delayMs: number;
  /** Share (0..1) of each delay taken off at random, so jobs that failed together do not retry together. */
  jitter?: number;
}

export interface EnqueueOptions {
  /** Run no earlier than this many milliseconds from now (up to 30 days). */
  delayMs?: number;
  /** 1 is the highest; jobs without a priority go before all prioritized ones (BullMQ's rule). */
  priority?: number;
  /** Attempts in total, the first included (1..25). */
  attempts?: number;
  backoff?: Backoff;
  /** The group within the caller's share of a fair type (the customer it enqueues for): the key's groups take turns inside the key's own share. 1-64 of letters, digits and `_ . : @ -`; the key's default group when absent. */
  group?: string;
  /** Time one attempt may take: 100 ms up to the type's own limit. */
  timeoutMs?: number;
}

export interface SingleJobEnvelope {
  payload: unknown;
  options?: EnqueueOptions;
  jobId?: string;
}

export interface ScheduleBody {
  type: string;
  payload: unknown;
  /** Every this many milliseconds (at least one second). */
  everyMs?: number;
  /** A cron pattern (`0 * * * *`), with seconds allowed as a sixth field. */
  cron?: string;
  /** IANA time zone for `cron`; UTC when absent. */
  tz?: string;
}

/** What each route answers, by status (its JSON answers only). */
export interface Answers {
  /** POST /v1/jobs/:type */
  enqueueJob: {
    200: JobView;
    202: Accepted | JobView;
  };
  /** GET /v1/jobs/:type */
  listJobs: {
    200: JobPage;
  };
  /** POST /v1/jobs/:type/bulk */
  enqueueBulk: {
    202: BulkAccepted;
    207: BulkAccepted;
  };
  /** GET /v1/jobs/:type/:id */
  getJob: {
    200: JobView;
  };
  /** DELETE /v1/jobs/:type/:id */
  cancelJob: {
    200: Cancelled;
    202: Cancelled;
  };
  /** POST /v1/jobs/:type/:id/retry */
  retryJob: {
    202: Retried;
  };
  /** POST /v1/queues/:type/pause */
  pauseQueue: {
    200: QueuePaused;
  };
  /** POST /v1/queues/:type/resume */
  resumeQueue: {
    200: QueuePaused;
  };
  /** GET /v1/queues/:type/tenants */
  listTenants: {
    200: TenantPage;
  };
  /** POST /v1/queues/:type/tenants/:tenant/pause */
  pauseTenant: {
    200: TenantPaused;
  };
  /** POST /v1/queues/:type/tenants/:tenant/resume */
  resumeTenant: {
    200: TenantPaused;
  };
  /** GET /v1/job-types */
  listJobTypes: {
    200: {
      types: JobTypeInfo[];
    };
  };
  /** GET /v1/queues */
  listQueues: {
    200: {
      queues: QueueStatus[];
    };
  };
  /** GET /v1/workers */
  listWorkers: {
    200: {
      workers: WorkerHeartbeat[];
    };
  };
  /** GET /v1/proxies */
  listProxies: {
    200: {
      proxies: ProxyStatus[];
    };
  };
  /** GET /v1/schedules */
  listSchedules: {
    200: {
      schedules: Schedule[];
    };
  };
  /** PUT /v1/schedules/:id */
  putSchedule: {
    200: Schedule;
  };
  /** GET /v1/schedules/:id */
  getSchedule: {
    200: Schedule;
  };
  /** DELETE /v1/schedules/:id */
  deleteSchedule: {
    200: ScheduleRemoved;
  };
  /** GET /healthz */
  health: {
    200: {
      status: 'ok';
    };
  };
  /** GET /readyz */
  ready: {
    200: {
      status: 'ready';
    };
  };
  /** GET /openapi.json */
  openapi: {
    200: Record<string, unknown>;
  };
}

/** Each route's query, as sent (every field optional where the API has a default). */
export interface Queries {
  /** POST /v1/jobs/:type */
  enqueueJob: {
    wait?: number;
  };
  /** GET /v1/jobs/:type */
  listJobs: {
    state?: ListableJobState;
    limit?: number;
    /** the previous page's nextCursor */
    cursor?: string;
    /** field:value terms, all of which must match: id:<job id>, text:<contains>, url.host:<host>, n:<number> */
    q?: string;
    /** most jobs read by this call: the cost bound (the server also stops at 4 MiB of job data read, or after 2 s) */
    scan?: number;
  };
  /** GET /v1/jobs/:type/:id */
  getJob: {
    wait?: number;
  };
  /** GET /v1/queues/:type/tenants */
  listTenants: {
    limit?: number;
    /** the previous page's nextCursor */
    cursor?: number;
  };
}

/** Each route's JSON body, as sent. */
export interface Bodies {
  /** POST /v1/jobs/:type */
  enqueueJob: SingleJobEnvelope;
  /** POST /v1/jobs/:type/bulk */
  enqueueBulk: {
    jobs: SingleJobEnvelope[];
  };
  /** PUT /v1/schedules/:id */
  putSchedule: ScheduleBody;
}
