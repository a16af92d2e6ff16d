import { jobPath, type BulkEnqueued, type CancelledJob, type EnqueuedJob, type RetriedJob } from './answers.js';
import { DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT_MS, type FloodgateClientOptions } from './client-options.js';
import { bulkRequest, enqueuedJob, enqueueKeyOf, enqueueRequest, outcomeLookup } from './enqueue-request.js';
import type { HttpRequest, TransportSettings } from './http-transport.js';
import { followJobEvents, type JobEvent, type JobEventsOptions } from './job-events.js';
import type { AnyJobs, JobMap, PayloadOf, TypeOf } from './job-map.js';
import type { BulkJob, CallOptions, EnqueueOptions } from './job-options.js';
import type { JobPage, ListJobsQuery, SearchJobsQuery, SearchPage } from './job-pages.js';
import type { Job } from './job.js';
import { JobFailedError } from './job-failed-error.js';
import type { JobTypeInfo, ProxyStatus, QueuePauseState, QueueStatus, TenantPage, TenantPauseState, TenantStatus, WorkerStatus } from './operations.js';
import { PagePromise } from './page-promise.js';
import type { RemovedSchedule, Schedule, ScheduleInput } from './schedule.js';
import { sendWithRetries } from './send-with-retries.js';
import { checkWaitSeconds, MAX_WAIT_SECONDS } from './wait-seconds.js';

/** How a call that reads a finished job treats a failed one. */
export interface FailureOptions {
  /**
   * Throw a {@link JobFailedError} when the job failed for good, instead of
   * returning its view with `state: 'failed'`.
   * @defaultValue false
   */
  throwOnFailure?: boolean;
}

export interface GetOptions extends CallOptions, FailureOptions {
  /**
   * Hold the answer until the job completes or fails, at most this many
   * seconds (0..30). When the wait runs out, the job's current view comes back.
   * @defaultValue 0, answer at once
   */
  waitSeconds?: number;
}

export interface EnqueueAndWaitOptions extends EnqueueOptions, FailureOptions {
  /**
   * Seconds to wait for the job to finish (1..30); when they run out, the job's
   * current view comes back (check `state`, or call `get` with a wait).
   * @defaultValue 30
   */
  waitSeconds?: number;
}

/**
 * A typed client for the floodgate HTTP API. `Jobs` is your job map (or {@link JobMapOf} your definitions), so
 * `enqueue('sum', payload)` only compiles with a sum payload; without it, any type and unknown payloads. Calls throw a
 * FloodgateApiError on an error answer, and a FloodgateNetworkError when no readable answer came once retries ran out.
 */
export class FloodgateClient<Jobs extends JobMap<Jobs> = AnyJobs> {
  readonly #transport: TransportSettings;

  constructor(options: FloodgateClientOptions) {
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`requestTimeoutMs must be a positive number of milliseconds; got ${String(timeoutMs)}.`);
    }
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError(`maxRetries must be a whole number from 0; got ${String(maxRetries)}.`);
    // set(), not an object spread: header names are case-insensitive, and `Accept`
    // next to `accept` would be sent as one header with both values.
    const headers = new Headers({ accept: 'application/json' });
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    if (options.apiKey !== undefined) headers.set('authorization', `Bearer ${options.apiKey}`);
    this.#transport = {
      // Parsed now so a wrong base URL fails here, not on the first call; the trailing
      // slash goes so that paths (which start with one) join cleanly.
      baseUrl: new URL(options.baseUrl).href.replace(/\/+$/, ''),
      // Looked up per call, not captured: a fetch installed later (a polyfill, a recorder) is used too.
      // Called unbound: a browser's own fetch throws "Illegal invocation" when its `this` is not the window.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      headers,
      timeoutMs,
      maxRetries,
    };
  }

  /**
   * `POST /v1/jobs/:type`: enqueues one job and returns its id at once. Sent
   * with an `Idempotency-Key` (yours, or one made up per call), so a lost answer
   * is resent safely, and a 503 `enqueue_outcome_unknown` is settled by reading
   * the job it names before anything is sent again.
   */
  async enqueue<T extends TypeOf<Jobs>>(type: T, payload: PayloadOf<Jobs, T>, options: EnqueueOptions = {}): Promise<EnqueuedJob<T>> {
    const key = enqueueKeyOf(options);
    const sent = await sendWithRetries(this.#transport, enqueueRequest(type, payload, options, key), options, outcomeLookup(type));
    return enqueuedJob(type, sent, key);
  }

  /**
   * `POST /v1/jobs/:type/bulk`: many jobs of one type in one request. Validation is all or nothing (a 422 names the bad
   * index); then each item has its own outcome, in order, and `status` says `all`, `some` or `none` were stored (a partial
   * answer is not thrown). Give every item a `jobId` so a lost answer can be resent. An empty list sends nothing.
   */
  async enqueueBulk<T extends TypeOf<Jobs>>(type: T, jobs: ReadonlyArray<BulkJob<Jobs, T>>, options: CallOptions = {}): Promise<BulkEnqueued<T>> {
    if (jobs.length === 0) return { type, status: 'all', count: 0, jobs: [] };
    return (await this.#send(bulkRequest(type, jobs as ReadonlyArray<BulkJob>), options)) as BulkEnqueued<T>;
  }

  /**
   * `POST /v1/jobs/:type?wait=N`: enqueues one job and waits for it to finish,
   * up to `waitSeconds`. Returns the job's view: `completed` with its `result`,
   * `failed` with its `error` (or a JobFailedError with `throwOnFailure`), or
   * any other state when the wait ran out first. Resent as `enqueue` is.
   */
  async enqueueAndWait<T extends TypeOf<Jobs>>(type: T, payload: PayloadOf<Jobs, T>, options: EnqueueAndWaitOptions = {}): Promise<Job<Jobs, T>> {
    const waitSeconds = checkWaitSeconds(options.waitSeconds ?? MAX_WAIT_SECONDS, 1);
    const key = enqueueKeyOf(options);
    const sent = await sendWithRetries(this.#transport, enqueueRequest(type, payload, options, key, waitSeconds), options, outcomeLookup(type, waitSeconds));
    // A repeat of an idempotency key waits for the job it found, like the first call.
    return checkFailure(sent.answer.body as Job<Jobs, T>, options);
  }

  /** `GET /v1/jobs/:type/:id`: the job's view, after waiting up to `waitSeconds` for it to finish. */
  async get<T extends TypeOf<Jobs>>(type: T, id: string, options: GetOptions = {}): Promise<Job<Jobs, T>> {
    const waitSeconds = checkWaitSeconds(options.waitSeconds ?? 0, 0);
    const path = `${jobPath(type, id)}${waitSeconds > 0 ? `?wait=${waitSeconds}` : ''}`;
    const job = (await this.#send({ method: 'GET', path, waitSeconds, resend: 'safe' }, options)) as Job<Jobs, T>;
    return checkFailure(job, options);
  }

  /**
   * `GET /v1/jobs/:type?state=`: jobs in one state, newest first (`failed` by
   * default: the dead-letter set). Await it for a page, or `for await` over it
   * for every job, page after page.
   */
  listJobs<T extends TypeOf<Jobs>>(type: T, query: ListJobsQuery & CallOptions = {}): PagePromise<JobPage<Jobs, T>, Job<Jobs, T>> {
    return new PagePromise(
      (cursor) => this.#send({ method: 'GET', path: `/v1/jobs/${encodeURIComponent(type)}${queryString({ state: query.state, limit: query.limit, cursor })}`, resend: 'safe' }, query) as Promise<JobPage<Jobs, T>>,
      (page) => page.jobs,
      query.cursor,
    );
  }

  /**
   * `GET /v1/jobs/:type?q=`: a bounded search of payloads (`text:refund`,
   * `url.host:example.com`, `n:42`, `id:<job id>`; all terms must match). Each
   * page is one call that stops at its bounds (`limit` matches, `scan` jobs, or
   * the server's 4 MiB and 2 s) and says why in `stoppedBy`; `for await` goes
   * on with `nextCursor` until every job was read, so break once you have enough.
   */
  searchJobs<T extends TypeOf<Jobs>>(type: T, q: string, query: SearchJobsQuery & CallOptions = {}): PagePromise<SearchPage<Jobs, T>, Job<Jobs, T>> {
    return new PagePromise(
      (cursor) =>
        this.#send(
          { method: 'GET', path: `/v1/jobs/${encodeURIComponent(type)}${queryString({ q, state: query.state, limit: query.limit, scan: query.scan, cursor })}`, resend: 'safe' },
          query,
        ) as Promise<SearchPage<Jobs, T>>,
      (page) => page.jobs,
      query.cursor,
    );
  }

  /**
   * `GET /v1/jobs/:type/:id/events`: the job's Server-Sent Events, to its end.
   * `for await` over it; the loop ends after `completed` or `failed`. A dropped
   * stream is resumed with `Last-Event-ID` (see JobEvent for what a resume
   * sends). Break out of the loop, or abort `signal`, to stop following.
   */
  events<T extends TypeOf<Jobs>>(type: T, id: string, options: JobEventsOptions = {}): AsyncIterable<JobEvent<Jobs, T>> {
    return { [Symbol.asyncIterator]: () => followJobEvents<Jobs, T>(this.#transport, type, id, options) };
  }

  /**
   * `DELETE /v1/jobs/:type/:id`: removes a job that has not started (`removed`),
   * or asks the worker running it to abort it (`cancelling`; it then ends
   * `failed` with `cancelled: ...`, not retried). A finished job is a 409
   * `job_finished`; a running one no worker heard of is a 503 `cancel_unheard`,
   * resent. A resend after a lost answer may find the job gone: 404 `job_not_found`.
   */
  async cancel<T extends TypeOf<Jobs>>(type: T, id: string, options: CallOptions = {}): Promise<CancelledJob<T>> {
    return (await this.#send({ method: 'DELETE', path: jobPath(type, id), resend: 'safe' }, options)) as CancelledJob<T>;
  }

  /**
   * `POST /v1/jobs/:type/:id/retry`: a failed job goes back to waiting; any other
   * is a 409 `job_not_failed`. Not resent once it may have reached the API: a
   * second retry of a job that ran and failed again in between would run it twice.
   */
  async retry<T extends TypeOf<Jobs>>(type: T, id: string, options: CallOptions = {}): Promise<RetriedJob<T>> {
    return (await this.#send({ method: 'POST', path: `${jobPath(type, id)}/retry`, resend: { refusals: new Set() } }, options)) as RetriedJob<T>;
  }

  /** `GET /v1/schedules`: every schedule. */
  async listSchedules(options: CallOptions = {}): Promise<Array<Schedule<Jobs>>> {
    return ((await this.#send({ method: 'GET', path: '/v1/schedules', resend: 'safe' }, options)) as { schedules: Array<Schedule<Jobs>> }).schedules;
  }

  /** `GET /v1/schedules/:id`: one schedule; 404 `schedule_not_found`. */
  async getSchedule(id: string, options: CallOptions = {}): Promise<Schedule<Jobs>> {
    return (await this.#send({ method: 'GET', path: schedulePath(id), resend: 'safe' }, options)) as Schedule<Jobs>;
  }

  /**
   * `PUT /v1/schedules/:id`: creates or replaces a schedule: `type` and `payload`
   * (validated like a job's) every `everyMs`, or on a `cron` pattern in `tz`.
   * Each run is an ordinary job of its type. An upsert, so it is resent freely.
   */
  async putSchedule<T extends TypeOf<Jobs>>(id: string, schedule: ScheduleInput<Jobs, T>, options: CallOptions = {}): Promise<Schedule<Jobs, T>> {
    return (await this.#send({ method: 'PUT', path: schedulePath(id), json: schedule, resend: 'safe' }, options)) as Schedule<Jobs, T>;
  }

  /**
   * `DELETE /v1/schedules/:id`: removes a schedule (jobs it already made stay).
   * A resend after a lost answer may find it gone: 404 `schedule_not_found`.
   */
  async deleteSchedule(id: string, options: CallOptions = {}): Promise<RemovedSchedule> {
    return (await this.#send({ method: 'DELETE', path: schedulePath(id), resend: 'safe' }, options)) as RemovedSchedule;
  }

  /** `GET /v1/queues`: per job type, its counts by state, whether it is paused, and its live workers. */
  async listQueues(options: CallOptions = {}): Promise<Array<QueueStatus<TypeOf<Jobs>>>> {
    return ((await this.#send({ method: 'GET', path: '/v1/queues', resend: 'safe' }, options)) as { queues: Array<QueueStatus<TypeOf<Jobs>>> }).queues;
  }

  /** `POST /v1/queues/:type/pause` (admin): workers take no new jobs of the type (running ones finish; enqueueing goes on). */
  pauseQueue<T extends TypeOf<Jobs>>(type: T, options: CallOptions = {}): Promise<QueuePauseState<T>> {
    return this.#setState(`/v1/queues/${encodeURIComponent(type)}/pause`, options) as Promise<QueuePauseState<T>>;
  }

  /** `POST /v1/queues/:type/resume` (admin). */
  resumeQueue<T extends TypeOf<Jobs>>(type: T, options: CallOptions = {}): Promise<QueuePauseState<T>> {
    return this.#setState(`/v1/queues/${encodeURIComponent(type)}/resume`, options) as Promise<QueuePauseState<T>>;
  }

  /**
   * `GET /v1/queues/:type/tenants`: the busiest tenants of a type (API keys, or
   * client addresses with auth disabled): jobs waiting for their turn, running,
   * weight, paused, and how long their recent jobs waited to start. Await it for
   * a page, or `for await` over it for every tenant.
   */
  listTenants<T extends TypeOf<Jobs>>(type: T, query: { limit?: number; cursor?: string } & CallOptions = {}): PagePromise<TenantPage<T>, TenantStatus> {
    return new PagePromise(
      (cursor) => this.#send({ method: 'GET', path: `/v1/queues/${encodeURIComponent(type)}/tenants${queryString({ limit: query.limit, cursor })}`, resend: 'safe' }, query) as Promise<TenantPage<T>>,
      (page) => page.tenants,
      query.cursor,
    );
  }

  /** `POST /v1/queues/:type/tenants/:tenant/pause` (admin): holds one tenant's jobs back while the type's others run. */
  pauseTenant<T extends TypeOf<Jobs>>(type: T, tenant: string, options: CallOptions = {}): Promise<TenantPauseState<T>> {
    return this.#setState(`/v1/queues/${encodeURIComponent(type)}/tenants/${encodeURIComponent(tenant)}/pause`, options) as Promise<TenantPauseState<T>>;
  }

  /** `POST /v1/queues/:type/tenants/:tenant/resume` (admin). */
  resumeTenant<T extends TypeOf<Jobs>>(type: T, tenant: string, options: CallOptions = {}): Promise<TenantPauseState<T>> {
    return this.#setState(`/v1/queues/${encodeURIComponent(type)}/tenants/${encodeURIComponent(tenant)}/resume`, options) as Promise<TenantPauseState<T>>;
  }

  /** `GET /v1/workers`: every live worker process, from its heartbeat. */
  async listWorkers(options: CallOptions = {}): Promise<WorkerStatus[]> {
    return ((await this.#send({ method: 'GET', path: '/v1/workers', resend: 'safe' }, options)) as { workers: WorkerStatus[] }).workers;
  }

  /** `GET /v1/proxies` (admin): page-extract's proxies and their health, credentials masked. */
  async listProxies(options: CallOptions = {}): Promise<ProxyStatus[]> {
    return ((await this.#send({ method: 'GET', path: '/v1/proxies', resend: 'safe' }, options)) as { proxies: ProxyStatus[] }).proxies;
  }

  /** `GET /v1/job-types`: every job type the API takes, with its options and payload and result JSON Schemas. */
  async listJobTypes(options: CallOptions = {}): Promise<Array<JobTypeInfo<TypeOf<Jobs>>>> {
    return ((await this.#send({ method: 'GET', path: '/v1/job-types', resend: 'safe' }, options)) as { types: Array<JobTypeInfo<TypeOf<Jobs>>> }).types;
  }

  /** A pause or resume: it sets a state, so sending it twice leaves the same state, and it is resent freely. */
  #setState(path: string, options: CallOptions): Promise<unknown> {
    return this.#send({ method: 'POST', path, resend: 'safe' }, options);
  }

  async #send(request: HttpRequest, options: CallOptions): Promise<unknown> {
    return (await sendWithRetries(this.#transport, request, options)).answer.body;
  }
}

function schedulePath(id: string): string {
  return `/v1/schedules/${encodeURIComponent(id)}`;
}

/** `?a=1&b=2` of the parameters that are set, or nothing. */
function queryString(params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  return query.size > 0 ? `?${query.toString()}` : '';
}

function checkFailure<J extends { state: string }>(job: J, options: FailureOptions): J {
  if (options.throwOnFailure && job.state === 'failed') throw new JobFailedError(job as never);
  return job;
}
