import type { JobType, PayloadOf } from '@floodgate/shared/jobs';
import { jobPath, type BulkEnqueued, type CancelledJob, type EnqueuedJob, type RetriedJob, type TenantList, type TenantPauseState } from './answers';
import { DEFAULT_REQUEST_TIMEOUT_MS, type FloodgateClientOptions } from './client-options';
import { send, type HttpAnswer, type HttpRequest, type TransportSettings } from './http-transport';
import type { Job, JobState } from './job';
import { JobFailedError } from './job-failed-error';
import { jobOptionsBody, type BulkJob, type CallOptions, type EnqueueOptions, type JobOptions } from './job-options';
import { checkWaitSeconds, MAX_WAIT_SECONDS } from './wait-seconds';

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
 * A typed client for the floodgate HTTP API. Payloads and results are typed
 * from the job catalog: `enqueue('sentiment', { text })` only compiles with a
 * sentiment payload, and a sentiment job's `result` is a sentiment result.
 *
 * Every call throws a FloodgateApiError when the API answers with an error,
 * and a FloodgateNetworkError when no readable answer comes back.
 */
export class FloodgateClient {
  readonly #transport: TransportSettings;

  constructor(options: FloodgateClientOptions) {
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`requestTimeoutMs must be a positive number of milliseconds; got ${String(timeoutMs)}.`);
    }
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
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      headers,
      timeoutMs,
    };
  }

  /** `POST /v1/jobs/:type`: enqueues one job and returns its id at once. */
  async enqueue<T extends JobType>(type: T, payload: PayloadOf<T>, options: EnqueueOptions = {}): Promise<EnqueuedJob<T>> {
    const answer = await this.#send(enqueueRequest(type, payload, options, ''));
    // 202: a new job, `{id, type, state, links}`. 200: an idempotency key found the
    // job it made before, answered with that job's whole view; both come back alike.
    const body = answer.body as { id: string | number; state: JobState; links?: { self: string } };
    const id = String(body.id);
    return {
      id,
      type,
      state: body.state,
      links: { self: body.links?.self ?? answer.headers.get('location') ?? jobPath(type, id) },
      created: answer.status !== 200,
    };
  }

  /**
   * `POST /v1/jobs/:type/bulk`: enqueues many jobs of one type in one request.
   * Validation is all or nothing: one invalid item is a 422 naming its index,
   * and none is enqueued. Then each item has its own outcome, in the order
   * given, and `status` says whether `all`, `some` or `none` are stored (a
   * partial answer is not thrown: check `status`). Give items a `jobId` to make
   * a resend safe. An empty list sends nothing.
   */
  async enqueueBulk<T extends JobType>(type: T, jobs: ReadonlyArray<BulkJob<T>>, options: CallOptions = {}): Promise<BulkEnqueued<T>> {
    if (jobs.length === 0) return { type, status: 'all', count: 0, jobs: [] };
    const answer = await this.#send({
      method: 'POST',
      path: `/v1/jobs/${encodeURIComponent(type)}/bulk`,
      json: {
        jobs: jobs.map((job) => withOptions({ payload: job.payload, ...(job.jobId === undefined ? {} : { jobId: job.jobId }) }, jobOptionsBody(job.options))),
      },
      signal: options.signal,
    });
    return answer.body as BulkEnqueued<T>;
  }

  /**
   * `POST /v1/jobs/:type?wait=N`: enqueues one job and waits for it to finish,
   * up to `waitSeconds`. Returns the job's view: `completed` with its `result`,
   * `failed` with its `error` (or a JobFailedError with `throwOnFailure`), or
   * any other state when the wait ran out first.
   */
  async enqueueAndWait<T extends JobType>(type: T, payload: PayloadOf<T>, options: EnqueueAndWaitOptions = {}): Promise<Job<T>> {
    const waitSeconds = checkWaitSeconds(options.waitSeconds ?? MAX_WAIT_SECONDS, 1);
    const answer = await this.#send(enqueueRequest(type, payload, options, `?wait=${waitSeconds}`, waitSeconds));
    // A repeat of an idempotency key waits for the job it found, like the first call.
    return checkFailure(answer.body as Job<T>, options);
  }

  /** `GET /v1/jobs/:type/:id`: the job's view, after waiting up to `waitSeconds` for it to finish. */
  async get<T extends JobType>(type: T, id: string, options: GetOptions = {}): Promise<Job<T>> {
    const waitSeconds = checkWaitSeconds(options.waitSeconds ?? 0, 0);
    const answer = await this.#send({
      method: 'GET',
      path: `${jobPath(type, id)}${waitSeconds > 0 ? `?wait=${waitSeconds}` : ''}`,
      waitSeconds,
      signal: options.signal,
    });
    return checkFailure(answer.body as Job<T>, options);
  }

  /**
   * `DELETE /v1/jobs/:type/:id`: removes a job that has not started (`removed`),
   * or asks the worker running it to abort it (`cancelling`; it then ends
   * `failed` with `cancelled: ...`, not retried). A finished job is a 409 `job_finished`.
   */
  async cancel<T extends JobType>(type: T, id: string, options: CallOptions = {}): Promise<CancelledJob<T>> {
    const answer = await this.#send({ method: 'DELETE', path: jobPath(type, id), signal: options.signal });
    return answer.body as CancelledJob<T>;
  }

  /** `POST /v1/jobs/:type/:id/retry`: a failed job goes back to waiting; any other is a 409 `job_not_failed`. */
  async retry<T extends JobType>(type: T, id: string, options: CallOptions = {}): Promise<RetriedJob<T>> {
    const answer = await this.#send({ method: 'POST', path: `${jobPath(type, id)}/retry`, signal: options.signal });
    return answer.body as RetriedJob<T>;
  }

  /**
   * `GET /v1/queues/:type/tenants`: the busiest tenants of a type (API keys, or
   * client addresses with auth disabled): jobs waiting for their turn, running,
   * weight, paused, and how long their recent jobs waited to start. Pass
   * `nextCursor` back as `cursor` for the next page.
   */
  async tenants<T extends JobType>(type: T, options: CallOptions & { limit?: number; cursor?: string } = {}): Promise<TenantList<T>> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.cursor !== undefined) query.set('cursor', options.cursor);
    const suffix = query.size > 0 ? `?${query.toString()}` : '';
    const answer = await this.#send({ method: 'GET', path: `/v1/queues/${encodeURIComponent(type)}/tenants${suffix}`, signal: options.signal });
    return answer.body as TenantList<T>;
  }

  /** `POST /v1/queues/:type/tenants/:tenant/pause` (admin): holds one tenant's jobs back while the type's others run. */
  pauseTenant<T extends JobType>(type: T, tenant: string, options: CallOptions = {}): Promise<TenantPauseState<T>> {
    return this.#tenantAction(type, tenant, 'pause', options);
  }

  /** `POST /v1/queues/:type/tenants/:tenant/resume` (admin). */
  resumeTenant<T extends JobType>(type: T, tenant: string, options: CallOptions = {}): Promise<TenantPauseState<T>> {
    return this.#tenantAction(type, tenant, 'resume', options);
  }

  async #tenantAction<T extends JobType>(type: T, tenant: string, action: 'pause' | 'resume', options: CallOptions): Promise<TenantPauseState<T>> {
    const path = `/v1/queues/${encodeURIComponent(type)}/tenants/${encodeURIComponent(tenant)}/${action}`;
    const answer = await this.#send({ method: 'POST', path, signal: options.signal });
    return answer.body as TenantPauseState<T>;
  }

  #send(request: HttpRequest): Promise<HttpAnswer> {
    return send(this.#transport, request);
  }
}

/** The request of `enqueue` and `enqueueAndWait`, which differ only by their query. */
function enqueueRequest(type: JobType, payload: unknown, options: EnqueueOptions, query: string, waitSeconds = 0): HttpRequest {
  const body = withOptions({ payload, ...(options.jobId === undefined ? {} : { jobId: options.jobId }) }, jobOptionsBody(options));
  return {
    method: 'POST',
    path: `/v1/jobs/${encodeURIComponent(type)}${query}`,
    json: body,
    headers: options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey },
    waitSeconds,
    signal: options.signal,
  };
}

/** `fields` with `options` when there are any: the smallest body the API takes. */
function withOptions(fields: Record<string, unknown>, options: JobOptions | undefined): Record<string, unknown> {
  return options === undefined ? fields : { ...fields, options };
}

function checkFailure<T extends JobType>(job: Job<T>, options: FailureOptions): Job<T> {
  if (options.throwOnFailure && job.state === 'failed') throw new JobFailedError(job);
  return job;
}
