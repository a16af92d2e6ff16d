/**
 * Every error code the HTTP API answers with, its status and when (Markdown:
 * it is the error table of docs/api.md, written there by `npm run
 * docs:generate`, and each status's description in the OpenAPI document). The
 * one list the API's errors, the OpenAPI document and `@floodgate/client`
 * share: a code missing here does not compile in the API.
 */
export const API_ERROR_CODES = {
  invalid_json: { status: 400, when: 'the body is not valid JSON' },
  invalid_query: {
    status: 400,
    when: 'a query parameter is unknown or out of range (`state`, `limit` 1–100, `cursor`; `wait` 0–30; a search `q` over 1,024 characters)',
  },
  invalid_search: {
    status: 400,
    when: 'a search `q` is over 256 characters, names a field the type\'s payload lacks, has more than 4 terms, or holds pattern syntax (`( ) [ ] { } * + \\ | ^ $`: `q` is literal text, never a regex)',
  },
  invalid_idempotency_key: { status: 400, when: 'the `Idempotency-Key` is not 1–128 of `A-Z a-z 0-9 _ - . :`, or comes with a `jobId` in the body too' },
  invalid_schedule_id: { status: 400, when: 'a schedule id is not 1–128 of `A-Z a-z 0-9 _ - .`' },
  invalid_job_id: { status: 400, when: 'the job id is not 1–128 of `A-Z a-z 0-9 _ - :`' },
  invalid_tenant: { status: 400, when: 'a tenant in the path is not `key:<key id>`, `ip:<address>` or `anonymous`' },
  json_too_deep: { status: 400, when: 'the JSON body nests deeper than 32 levels (checked before parsing)' },
  request_aborted: { status: 400, when: 'the client hung up while sending the body' },
  invalid_content_length: { status: 400, when: 'the body length does not match `Content-Length`' },
  bad_request: { status: 400, when: 'the request or its body could not be read (a malformed HTTP request, other read errors)' },
  unauthorized: { status: 401, when: 'no API key, or one that is not valid (`WWW-Authenticate: Bearer`)' },
  forbidden: { status: 403, when: 'the API key lacks the scope the request needs; `details: {required, held}`' },
  unknown_job_type: { status: 404, when: 'the type is not in the catalog (the message lists the known ones)' },
  job_not_found: { status: 404, when: 'no such job (never existed, or removed by retention)' },
  schedule_not_found: { status: 404, when: 'no schedule with that id' },
  route_not_found: { status: 404, when: 'no such route' },
  method_not_allowed: { status: 405, when: 'the path exists, the method does not (`Allow` says which)' },
  job_not_failed: { status: 409, when: 'only failed jobs can be retried' },
  idempotency_conflict: { status: 409, when: 'the `Idempotency-Key` (or `jobId`) was used before with a different payload or options' },
  job_finished: { status: 409, when: 'a finished job cannot be cancelled' },
  job_scheduled: {
    status: 409,
    when: "`DELETE` of a schedule's next run, which only removing or changing the schedule drops; `details: {id, type, schedule}`",
  },
  job_id_taken: {
    status: 409,
    when: 'another API key already used this `jobId` (a type\'s ids are one namespace); choose ids of your own, a prefix of yours say',
  },
  body_too_large: { status: 413, when: 'the body is over `API_BODY_LIMIT_BYTES`' },
  unsupported_media_type: { status: 415, when: 'the body is not `application/json`' },
  unsupported_charset: { status: 415, when: 'a body charset the API does not read' },
  unsupported_encoding: { status: 415, when: 'a content encoding the API does not read' },
  invalid_payload: {
    status: 422,
    when: 'the envelope, the payload or the `options` fail their schema (`delayMs` 0–30 days, `priority` 1–2,097,152, `attempts` 1–25, `backoff.delayMs` up to 1 h, `timeoutMs` 100 ms to the type\'s `timeoutMs`, `group` 1–64 of `A-Z a-z 0-9 _ . : @ -`); `details.issues` lists each `{path, message, code}`',
  },
  invalid_schedule: { status: 422, when: "a schedule's cron pattern or time zone is one BullMQ refuses (checked before Redis is touched)" },
  reserved_job_id: { status: 422, when: "a `jobId` of the form `p<n>-<22 characters>`: that form is the API's own ids" },
  too_many_jobs: {
    status: 422,
    when: "a bulk request carries more than `API_BULK_MAX_JOBS` jobs, or more than one client's whole rate allowance (2 × `rateLimitPerSecond`)",
  },
  rate_limited: { status: 429, when: 'this client enqueued too many jobs of this type (`Retry-After`: when its allowance returns)' },
  queue_full: { status: 429, when: "the type's backlog is at its cap; `details: {backlog, cap}` (`Retry-After: 5`)" },
  too_many_searches: {
    status: 429,
    when: 'this API key (this address with `AUTH_DISABLED`) already has 2 searches running in this API process; `details: {running, max}` (`Retry-After: 1`)',
  },
  tenant_queue_full: {
    status: 429,
    when: "in a fair type, this tenant's jobs waiting for their turn are at its share of the backlog; `details: {tenant, backlog, cap}` (`Retry-After: 5`); other tenants are still taken",
  },
  headers_too_large: { status: 431, when: "the request headers are over 16 KB in all (Node's limit); answered before any route, then the connection is closed" },
  internal_error: { status: 500, when: 'a bug: logged in full, answered without details' },
  redis_memory_high: { status: 503, when: 'Redis is nearly full; new jobs wait until workers drain it (`Retry-After: 5`)' },
  overloaded: { status: 503, when: "this API process's event loop lags; refused before the body is read (`Retry-After: 1`)" },
  redis_unavailable: { status: 503, when: 'Redis is unreachable and nothing was sent to it: nothing was enqueued, retrying is safe (`Retry-After: 2`)' },
  enqueue_outcome_unknown: {
    status: 503,
    when: 'the add was sent to Redis and its answer lost (the connection dropped, or the 5 s deadline passed while it was queued): the job **may exist**. `details: {id, type, links}` names it: `GET` it before retrying (a 404 means it was not stored) (`Retry-After: 2`)',
  },
  cancel_unheard: {
    status: 503,
    when: '`DELETE` of a running job that no worker process received (none was listening for cancels): the job goes on; `details: {id, type, receivers: 0}` (`Retry-After: 2`)',
  },
  redis_timeout: { status: 503, when: 'Redis did not answer within 5 s (`Retry-After: 2`)' },
  replication_unconfirmed: {
    status: 503,
    when: 'the job was written to the primary but fewer than `REDIS_ACK_REPLICAS` replicas confirmed it within `REDIS_ACK_TIMEOUT_MS`: it **may** exist; `details: {id, type, replicas, wanted}`, check `GET /v1/jobs/:type/:id` before retrying (`Retry-After: 1`)',
  },
} as const satisfies Record<string, { status: number; when: string }>;

export type ApiErrorCode = keyof typeof API_ERROR_CODES;
