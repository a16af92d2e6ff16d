import { z } from 'zod';
import { BulkAccepted, Cancelled, Retried } from './answers';
import { bulkBodyOf, singleJobEnvelopeOf } from './envelope';
import { enqueuedOrJobOf, jobViewOf } from './job-view';
import { Health, JobTypeList, jobPageOf, ProxyList, QueueList, Ready, ScheduleList, ScheduleRemoved, WorkerList } from './lists';
import type { PerTypeSchema } from './per-type';
import { QueuePaused, Schedule, TenantPage, TenantPaused } from './operations';
import { ListOrSearchQuery, ScheduleBody, TenantQuery, WaitQuery } from './queries';

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Who may call a route: anyone (`open`), a key with `jobs:read`, with
 * `jobs:write:<type>` for the path's `:type` (`write`), or with `admin`.
 */
export type RouteScope = 'open' | 'read' | 'write' | 'admin';

/** A wire schema, or a function of the job type (with its any-type form) for the routes under `/:type`. */
export type WireSchema = z.ZodType | PerTypeSchema;

export interface RouteResponse {
  description: string;
  /** The JSON answered; absent for the non-JSON answers of `raw` routes (see `media`). */
  body?: WireSchema;
  /** The media type of a `raw` route's answer. @defaultValue application/json */
  media?: 'text/plain' | 'text/html' | 'text/event-stream';
}

/** A request header a route reads. */
export interface RouteHeader {
  name: string;
  pattern: string;
  description?: string;
}

/**
 * One route: everything the API, its OpenAPI document, the scope check and
 * the docs know of it. In `summary` and `description`, `{type}` is the job
 * type and `{about}` its catalog description; in `operationId`, `{Type}` is
 * the type in PascalCase.
 */
export interface RouteSpec {
  method: RouteMethod;
  /** Express's form: `/v1/jobs/:type/:id`. A `:type` path has one OpenAPI path per job type. */
  path: string;
  scope: RouteScope;
  /** OpenAPI tag; `jobs` means the type's own tag, `jobs: <type>`. */
  tag: string;
  operationId: string;
  summary: string;
  description?: string;
  /** Descriptions of the path's parameters other than `:type`. */
  params?: Readonly<Record<string, string>>;
  query?: z.ZodObject;
  /** The handler parses the query itself (the list route is a listing or a search). */
  queryParsedBy?: 'handler';
  headers?: readonly RouteHeader[];
  /** The JSON body, parsed by the handler (enqueues through the pipeline, which owns their 422s). */
  body?: WireSchema;
  /** The route adds jobs: while the API sheds, it is refused before its body is read. */
  admits?: boolean;
  /** The handler writes its own answer (a stream, text, a page) instead of returning a JSON reply. */
  raw?: boolean;
  /** The answers it gives on success, by status. */
  responses: Readonly<Record<number, RouteResponse>>;
  /** The statuses of its error answers (each a `{"error"}` body); 401 and 403 follow from `scope`. */
  errors: readonly number[];
}

/** `GET /openapi.json`: an object (its own schema is OpenAPI's). */
const OpenApiDocument = z.record(z.string(), z.unknown());

const JOB_ID = 'The job id the enqueue answer gave (or your own `jobId`).';
const SCHEDULE_ID = 'Your name for the schedule: 1-128 of A-Z a-z 0-9 _ - .';
const TENANT = 'key:<key id>, ip:<address> or anonymous, URL-encoded.';
const WAIT_NOTE = 'With `wait=SECONDS` (at most 30) the answer is held until the job completes or fails; one shared subscriber per API process wakes every waiting request.';
/** What any route that touches Redis may answer when Redis is in trouble. */
const REDIS = [503] as const;
/** What enqueueing may answer: bad input, unknown type, too large, not JSON, invalid, shed. */
const ENQUEUE = [400, 404, 413, 415, 422, 429, 503] as const;

/**
 * Every route of the API, in the order express tries them (`/bulk` before
 * `/:id`). Adding a route is an entry here and its handler (the API's
 * `RouteHandlers` will not compile without it); its scope, OpenAPI operation,
 * 405 answers and docs row follow from the entry.
 */
export const routes = {
  enqueueJob: {
    method: 'POST',
    path: '/v1/jobs/:type',
    scope: 'write',
    tag: 'jobs',
    operationId: 'enqueue{Type}',
    summary: 'Enqueue one {type} job',
    description: `{about}\n\n${WAIT_NOTE} An \`Idempotency-Key\` header (kept per API key for IDEMPOTENCY_TTL) or a \`jobId\` in the body makes the call safe to repeat: the same key and payload answer 200 with the job it made (\`state: expired\` once retention removed it). A 503 \`enqueue_outcome_unknown\` names the job that may exist in \`details.id\`.`,
    query: WaitQuery,
    headers: [{ name: 'Idempotency-Key', pattern: '^[A-Za-z0-9_.:-]{1,128}$' }],
    body: singleJobEnvelopeOf,
    admits: true,
    responses: {
      200: { description: 'The job this idempotency key (or jobId) already made, or, with `wait`, the finished job.', body: jobViewOf },
      202: { description: 'Enqueued (`Location` is where to read it). With `wait`, the job as it is when the wait ran out.', body: enqueuedOrJobOf },
    },
    errors: [...ENQUEUE, 409],
  },
  listJobs: {
    method: 'GET',
    path: '/v1/jobs/:type',
    scope: 'read',
    tag: 'jobs',
    operationId: 'list{Type}Jobs',
    summary: 'List {type} jobs in one state (newest first; failed by default: the dead-letter set), or, with `q`, search them (a scan of at most `scan` jobs per call)',
    description:
      'A search reads only payloads (results are read for matches alone) and stops at the first of: `limit` matches, `scan` jobs, 4 MiB of job data, 2 s; `stoppedBy` says which, and `nextCursor` goes on from there. One API key may run two searches at once per API process; a third is 429 `too_many_searches`.',
    query: ListOrSearchQuery,
    queryParsedBy: 'handler',
    responses: {
      200: {
        description: 'A page of jobs; pass `nextCursor` as `cursor` for the next one. A search also says how many jobs and bytes it read (`scanned`, `bytesRead`) and why it stopped (`stoppedBy`).',
        body: jobPageOf,
      },
    },
    errors: [400, 429, ...REDIS],
  },
  enqueueBulk: {
    method: 'POST',
    path: '/v1/jobs/:type/bulk',
    scope: 'write',
    tag: 'jobs',
    operationId: 'enqueue{Type}Bulk',
    summary: 'Enqueue many {type} jobs in one call',
    description:
      'Every item is validated first: one bad item is a 422 naming its index, and nothing is enqueued. Otherwise all go to Redis in one pipeline, each with its own outcome. Items with their own `jobId` make the request safe to resend.',
    body: bulkBodyOf,
    admits: true,
    responses: {
      202: { description: 'Every job is stored (`status: all`); outcomes in the order sent.', body: BulkAccepted },
      207: { description: 'Some or none are stored (`status: some` or `none`): each item has its id and state, or its error.', body: BulkAccepted },
    },
    errors: ENQUEUE,
  },
  getJob: {
    method: 'GET',
    path: '/v1/jobs/:type/:id',
    scope: 'read',
    tag: 'jobs',
    operationId: 'get{Type}Job',
    summary: 'Read one {type} job',
    description: WAIT_NOTE,
    params: { id: JOB_ID },
    query: WaitQuery,
    responses: { 200: { description: 'The job.', body: jobViewOf } },
    errors: [400, 404, ...REDIS],
  },
  cancelJob: {
    method: 'DELETE',
    path: '/v1/jobs/:type/:id',
    scope: 'admin',
    tag: 'jobs',
    operationId: 'cancel{Type}Job',
    summary: 'Cancel one {type} job',
    params: { id: JOB_ID },
    responses: {
      200: { description: 'Removed before it ran.', body: Cancelled },
      202: { description: 'Running: worker processes received the cancel, and its handler is being aborted.', body: Cancelled },
    },
    errors: [400, 404, 409, ...REDIS],
  },
  retryJob: {
    method: 'POST',
    path: '/v1/jobs/:type/:id/retry',
    scope: 'admin',
    tag: 'jobs',
    operationId: 'retry{Type}Job',
    summary: 'Retry one failed {type} job',
    params: { id: JOB_ID },
    responses: { 202: { description: 'Back in the queue.', body: Retried } },
    errors: [400, 404, 409, ...REDIS],
  },
  watchJob: {
    method: 'GET',
    path: '/v1/jobs/:type/:id/events',
    scope: 'read',
    tag: 'jobs',
    operationId: 'watch{Type}Job',
    summary: 'Follow one {type} job as Server-Sent Events',
    description:
      'First a `state` event with the job, then `progress` events (`{progress}`), then `completed` (`{result}`) or `failed` (`{error}`), after which the stream closes (at once if the job had already finished). Each `data` is JSON. Every event has an `id`, counting up by one: reconnect with `Last-Event-ID` and the ids go on from it, with the `state` now first (it holds the latest progress; progress events missed are not replayed one by one, and a job that finished meanwhile gets its final event again), then live events.',
    params: { id: JOB_ID },
    headers: [{ name: 'Last-Event-ID', pattern: '^[0-9]{1,15}$', description: 'The id of the last event seen, when resuming a stream.' }],
    raw: true,
    responses: { 200: { description: 'An event stream.', media: 'text/event-stream' } },
    errors: [400, 404, ...REDIS],
  },
  pauseQueue: {
    method: 'POST',
    path: '/v1/queues/:type/pause',
    scope: 'admin',
    tag: 'queues',
    operationId: 'pause{Type}',
    summary: 'Pause {type}: workers take no new {type} jobs (running ones finish; enqueueing goes on)',
    responses: { 200: { description: 'Paused.', body: QueuePaused } },
    errors: REDIS,
  },
  resumeQueue: {
    method: 'POST',
    path: '/v1/queues/:type/resume',
    scope: 'admin',
    tag: 'queues',
    operationId: 'resume{Type}',
    summary: 'Resume {type}',
    responses: { 200: { description: 'Resumed.', body: QueuePaused } },
    errors: REDIS,
  },
  listTenants: {
    method: 'GET',
    path: '/v1/queues/:type/tenants',
    scope: 'read',
    tag: 'tenants',
    operationId: 'list{Type}Tenants',
    summary: 'The busiest tenants of {type}: backlog, running jobs, wait to start',
    description:
      'Tenants are API keys (or client addresses with auth disabled). Sorted by backlog, then running jobs; tenants with none waiting (running, paused, or with a job started in the last 10 minutes, so their waits stay visible) come after.',
    query: TenantQuery,
    responses: { 200: { description: 'A page of tenants; pass `nextCursor` as `cursor` for the next one.', body: TenantPage } },
    errors: [400, 404, ...REDIS],
  },
  pauseTenant: {
    method: 'POST',
    path: '/v1/queues/:type/tenants/:tenant/pause',
    scope: 'admin',
    tag: 'tenants',
    operationId: 'pause{Type}Tenant',
    summary: 'Pause one tenant of {type}: its jobs wait, the others run',
    params: { tenant: TENANT },
    responses: { 200: { description: 'Paused.', body: TenantPaused } },
    errors: [400, 404, ...REDIS],
  },
  resumeTenant: {
    method: 'POST',
    path: '/v1/queues/:type/tenants/:tenant/resume',
    scope: 'admin',
    tag: 'tenants',
    operationId: 'resume{Type}Tenant',
    summary: 'Resume one tenant of {type}',
    params: { tenant: TENANT },
    responses: { 200: { description: 'Resumed.', body: TenantPaused } },
    errors: [400, 404, ...REDIS],
  },
  listJobTypes: {
    method: 'GET',
    path: '/v1/job-types',
    scope: 'read',
    tag: 'catalog',
    operationId: 'listJobTypes',
    summary: 'Every job type, its options and its payload and result JSON Schemas',
    responses: { 200: { description: 'The catalog.', body: JobTypeList } },
    errors: [],
  },
  listQueues: {
    method: 'GET',
    path: '/v1/queues',
    scope: 'read',
    tag: 'queues',
    operationId: 'listQueues',
    summary: 'Counts per state, paused or not, and live workers, per job type',
    responses: { 200: { description: 'Every queue.', body: QueueList } },
    errors: REDIS,
  },
  listWorkers: {
    method: 'GET',
    path: '/v1/workers',
    scope: 'read',
    tag: 'queues',
    operationId: 'listWorkers',
    summary: 'Live worker processes, from their heartbeats',
    responses: { 200: { description: 'Every live worker.', body: WorkerList } },
    errors: REDIS,
  },
  listProxies: {
    method: 'GET',
    path: '/v1/proxies',
    // It shows the egress setup.
    scope: 'admin',
    tag: 'operations',
    operationId: 'listProxies',
    summary: "page-extract's proxies: state (healthy or cooling), counts, last error, cool-down end",
    description:
      'Each proxy configured for this API (FETCH_PROXIES / FETCH_PROXIES_FILE) or used by a worker within the last hour, from the health the workers share in Redis. Credentials are masked; `proxy` is `host:port`, as job results and metrics name it.',
    responses: { 200: { description: 'Every known proxy, sorted by host:port (empty when page-extract fetches directly).', body: ProxyList } },
    errors: REDIS,
  },
  listSchedules: {
    method: 'GET',
    path: '/v1/schedules',
    scope: 'read',
    tag: 'schedules',
    operationId: 'listSchedules',
    summary: 'Every schedule',
    responses: { 200: { description: 'Every schedule.', body: ScheduleList } },
    errors: REDIS,
  },
  putSchedule: {
    method: 'PUT',
    path: '/v1/schedules/:id',
    scope: 'admin',
    tag: 'schedules',
    operationId: 'putSchedule',
    summary: 'Create or replace a schedule (every N ms, or a cron pattern)',
    description:
      'The payload passes the validation and admission of a POST of its type (the same 422, 429 and 503 answers; nothing is stored when refused; one rate token per PUT); each run is an ordinary job of its type.',
    params: { id: SCHEDULE_ID },
    body: ScheduleBody,
    admits: true,
    responses: { 200: { description: 'The schedule as stored.', body: Schedule } },
    errors: [400, 404, 415, 422, 429, ...REDIS],
  },
  getSchedule: {
    method: 'GET',
    path: '/v1/schedules/:id',
    scope: 'read',
    tag: 'schedules',
    operationId: 'getSchedule',
    summary: 'Read one schedule',
    params: { id: SCHEDULE_ID },
    responses: { 200: { description: 'The schedule.', body: Schedule } },
    errors: [400, 404, ...REDIS],
  },
  deleteSchedule: {
    method: 'DELETE',
    path: '/v1/schedules/:id',
    scope: 'admin',
    tag: 'schedules',
    operationId: 'deleteSchedule',
    summary: 'Remove a schedule (jobs it already made stay)',
    params: { id: SCHEDULE_ID },
    responses: { 200: { description: 'Removed.', body: ScheduleRemoved } },
    errors: [400, 404, ...REDIS],
  },
  health: {
    method: 'GET',
    path: '/healthz',
    scope: 'open',
    tag: 'operations',
    operationId: 'health',
    summary: 'The process is up (never touches Redis)',
    responses: { 200: { description: 'Up.', body: Health } },
    errors: [],
  },
  ready: {
    method: 'GET',
    path: '/readyz',
    scope: 'open',
    tag: 'operations',
    operationId: 'ready',
    summary: 'This process can serve: Redis answers in time',
    responses: { 200: { description: 'Ready.', body: Ready } },
    errors: REDIS,
  },
  metrics: {
    method: 'GET',
    path: '/metrics',
    scope: 'open',
    tag: 'operations',
    operationId: 'metrics',
    summary: "This process's Prometheus metrics",
    raw: true,
    responses: { 200: { description: 'Prometheus text format.', media: 'text/plain' } },
    errors: [],
  },
  openapi: {
    method: 'GET',
    path: '/openapi.json',
    scope: 'open',
    tag: 'operations',
    operationId: 'openapi',
    summary: 'This document',
    raw: true,
    responses: { 200: { description: 'OpenAPI 3.1.', body: OpenApiDocument } },
    errors: [],
  },
  docs: {
    method: 'GET',
    path: '/docs',
    scope: 'open',
    tag: 'operations',
    operationId: 'docs',
    summary: 'This document, browsable (Swagger UI)',
    raw: true,
    responses: { 200: { description: 'An HTML page.', media: 'text/html' } },
    errors: [],
  },
} as const satisfies Record<string, RouteSpec>;

export type Routes = typeof routes;
export type RouteName = keyof Routes;

/** The JSON a wire schema (or a per-type schema's) describes, as a type. */
export type WireBody<S> = S extends (...args: never[]) => infer Z ? (Z extends z.ZodType ? z.output<Z> : never) : S extends z.ZodType ? z.output<S> : never;

/** A JSON route's answer: one of its declared statuses with that status's body, so a drifting field does not compile. */
export type Reply<R extends RouteSpec> = {
  [S in keyof R['responses'] & number]: { status: S; body: WireBody<R['responses'][S]['body']>; location?: string };
}[keyof R['responses'] & number];

/** What route `N` answers with `status`: for the API's typed handlers, and the client's check against the table. */
export type AnswerOf<N extends RouteName, S extends keyof Routes[N]['responses']> = WireBody<Routes[N]['responses'][S] extends { body: infer B } ? B : never>;
