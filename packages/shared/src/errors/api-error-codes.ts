/**
 * Every error code the HTTP API answers with, its status and when. The one
 * list the API's errors, the OpenAPI document and `@floodgate/client` share:
 * a code missing here does not compile in the API.
 */
export const API_ERROR_CODES = {
  invalid_json: { status: 400, when: 'the body is not valid JSON' },
  invalid_query: { status: 400, when: 'a query parameter is unknown or out of range' },
  invalid_search: { status: 400, when: 'a search `q` is too long, names no payload field of the type, or holds pattern syntax (it is literal text)' },
  invalid_idempotency_key: { status: 400, when: 'the Idempotency-Key is not 1-128 of A-Z a-z 0-9 _ - . :' },
  invalid_schedule_id: { status: 400, when: 'a schedule id is not 1-128 of A-Z a-z 0-9 _ - .' },
  invalid_job_id: { status: 400, when: 'a job id is not 1-128 of A-Z a-z 0-9 _ - :' },
  invalid_tenant: { status: 400, when: 'a tenant in the path is not key:<key id>, ip:<address> or anonymous' },
  request_aborted: { status: 400, when: 'the client hung up while sending the body' },
  invalid_content_length: { status: 400, when: 'the body length does not match Content-Length' },
  bad_request: { status: 400, when: 'the body could not be read' },
  json_too_deep: { status: 400, when: 'the JSON body nests deeper than 32 levels' },
  unauthorized: { status: 401, when: 'no API key, or one that is not valid (WWW-Authenticate says how to send one)' },
  forbidden: { status: 403, when: "the API key lacks the scope this request needs (details: required, held)" },
  unknown_job_type: { status: 404, when: 'the type is not in the catalog' },
  job_not_found: { status: 404, when: 'no such job (never existed, or removed by retention)' },
  schedule_not_found: { status: 404, when: 'no such schedule' },
  route_not_found: { status: 404, when: 'no such route' },
  method_not_allowed: { status: 405, when: 'the path exists, the method does not (Allow says which)' },
  job_not_failed: { status: 409, when: 'only failed jobs can be retried' },
  idempotency_conflict: { status: 409, when: 'the idempotency key was used before with a different payload' },
  job_finished: { status: 409, when: 'a finished job cannot be cancelled' },
  job_scheduled: { status: 409, when: "the job is a schedule's next run: remove or change the schedule instead (details: schedule)" },
  job_id_taken: { status: 409, when: "another API key already used this jobId (ids are one namespace per type); choose ids of your own" },
  body_too_large: { status: 413, when: 'the body is over API_BODY_LIMIT_BYTES' },
  headers_too_large: { status: 431, when: 'the request headers are over 16 KB in all' },
  unsupported_media_type: { status: 415, when: 'the body is not application/json' },
  unsupported_charset: { status: 415, when: 'a body charset the API does not read' },
  unsupported_encoding: { status: 415, when: 'a content encoding the API does not read' },
  invalid_payload: { status: 422, when: 'the envelope, the payload or the options fail their schema' },
  invalid_schedule: { status: 422, when: 'the schedule (pattern, interval, type or data) is invalid' },
  reserved_job_id: { status: 422, when: 'a jobId of the form p<n>-<22 characters>: that form is the API\'s own ids' },
  too_many_jobs: { status: 422, when: "a bulk request carries more than API_BULK_MAX_JOBS jobs, or more than one client's rate allowance" },
  rate_limited: { status: 429, when: 'this client enqueued too many jobs of this type (Retry-After says when to come back)' },
  queue_full: { status: 429, when: "the type's backlog is at its cap" },
  tenant_queue_full: {
    status: 429,
    when: "this tenant's jobs waiting for their turn in a fair type are at its share of the backlog (details: tenant, backlog, cap); other tenants are still taken",
  },
  too_many_searches: {
    status: 429,
    when: 'this API key (or address) already has as many job searches running in this API process as it may (details: running, max); Retry-After says when to try again',
  },
  internal_error: { status: 500, when: 'a bug: logged in full, answered without details' },
  redis_memory_high: { status: 503, when: 'Redis is nearly full; new jobs wait until workers drain it' },
  overloaded: { status: 503, when: "this API process's event loop lags; refused before the body is read" },
  redis_unavailable: { status: 503, when: 'Redis is unreachable; nothing was enqueued' },
  enqueue_outcome_unknown: {
    status: 503,
    when: 'the add reached Redis but its answer was lost (connection cut, deadline): the job may exist; details.id names it, GET it before retrying',
  },
  cancel_unheard: { status: 503, when: 'the job is running but no worker process received the cancel (none listening); it goes on: retry the DELETE' },
  redis_timeout: { status: 503, when: 'Redis did not answer in time' },
  replication_unconfirmed: {
    status: 503,
    when: 'the job was written to the primary but fewer than REDIS_ACK_REPLICAS replicas confirmed it in time: it may exist (details.id); check before retrying',
  },
} as const satisfies Record<string, { status: number; when: string }>;

export type ApiErrorCode = keyof typeof API_ERROR_CODES;
