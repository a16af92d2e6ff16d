import { catalog, jobTypes, type JobType } from '@floodgate/shared/jobs';
import { requiredScope } from '../auth/required-scope';
import { ListQuery, WaitQuery } from '../routes/jobs';
import { SearchQuery } from '../search/search-router';
import { TenantQuery } from '../routes/tenants';
import { errorRef, errorResponses, pascalCase, ref, schemaComponents } from './components';
import { queryParameters, schemaOf, type JsonSchema } from './json-schema';
import { ProxyStatus } from '@floodgate/shared/proxies';

export interface OpenApiOptions {
  /** The API's version, shown in the document's `info`. */
  version: string;
  /** Most jobs one bulk request may carry (API_BULK_MAX_JOBS), so the bulk schemas say the truth. */
  bulkMaxJobs: number;
}

type Operation = Record<string, unknown>;
type PathItem = Record<string, Operation>;

/** A JSON answer of one schema. */
const json = (description: string, schema: JsonSchema): JsonSchema => ({ description, content: { 'application/json': { schema } } });

function operation(
  tag: string,
  operationId: string,
  summary: string,
  spec: { description?: string; parameters?: unknown[]; body?: JsonSchema; responses: Record<string, JsonSchema>; errors: number[] },
): Operation {
  return {
    tags: [tag],
    operationId,
    summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.parameters?.length ? { parameters: spec.parameters } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    responses: { ...spec.responses, ...Object.fromEntries(spec.errors.map((status) => [String(status), errorRef(status)])) },
  };
}

const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const jobIdParam = pathParam('id', 'The job id the enqueue answer gave (or your own `jobId`).');
const WAIT_NOTE = 'With `wait=SECONDS` (at most 30) the answer is held until the job completes or fails; one shared subscriber per API process wakes every waiting request.';
/** What any route that touches Redis may answer when Redis is in trouble. */
const REDIS = [503];
/** What enqueueing may answer: bad input, unknown type, too large, not JSON, invalid, shed. */
const ENQUEUE = [400, 404, 413, 415, 422, 429, 503];

/** The paths of one job type: enqueue, bulk, list, read, wait, events, cancel, retry, pause and resume. */
function jobTypePaths(type: JobType): Record<string, PathItem> {
  const name = pascalCase(type);
  const tag = `jobs: ${type}`;
  const job = ref(`${name}Job`);
  const base = `/v1/jobs/${type}`;
  return {
    [base]: {
      post: operation(tag, `enqueue${name}`, `Enqueue one ${type} job`, {
        description: `${catalog[type].description}\n\n${WAIT_NOTE} An \`Idempotency-Key\` header (kept per API key for IDEMPOTENCY_TTL) or a \`jobId\` in the body makes the call safe to repeat: the same key and payload answer 200 with the job it made (\`state: expired\` once retention removed it). A 503 \`enqueue_outcome_unknown\` names the job that may exist in \`details.id\`.`,
        parameters: [
          ...queryParameters(WaitQuery),
          { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } },
        ],
        body: ref(`${name}Enqueue`),
        responses: {
          '200': json('The job this idempotency key (or jobId) already made, or, with `wait`, the finished job.', job),
          '202': json('Enqueued (`Location` is where to read it). With `wait`, the job as it is when the wait ran out.', {
            oneOf: [ref('Accepted'), job],
          }),
        },
        errors: [...ENQUEUE, 409],
      }),
      get: operation(tag, `list${name}Jobs`, `List ${type} jobs in one state (newest first; failed by default: the dead-letter set), or, with \`q\`, search them (a scan of at most \`scan\` jobs per call)`, {
        // With q the same route searches (search/search-router.ts): state is then optional and cursor a "<state>.<offset>" string.
        description:
          'A search reads only payloads (results are read for matches alone) and stops at the first of: `limit` matches, `scan` jobs, 4 MiB of job data, 2 s; `stoppedBy` says which, and `nextCursor` goes on from there. One API key may run two searches at once per API process; a third is 429 `too_many_searches`.',
        parameters: [...queryParameters(ListQuery), ...queryParameters(SearchQuery.pick({ q: true, scan: true })).map((param) => ({ ...param, required: false }))],
        responses: {
          '200': json('A page of jobs; pass `nextCursor` as `cursor` for the next one. A search also says how many jobs and bytes it read (`scanned`, `bytesRead`) and why it stopped (`stoppedBy`).', {
            type: 'object',
            properties: {
              jobs: { type: 'array', items: job },
              nextCursor: { anyOf: [{ type: 'string' }, { type: 'null' }] },
              scanned: { type: 'integer', minimum: 0 },
              bytesRead: { type: 'integer', minimum: 0, description: 'Search only: bytes of job data read (payloads scanned, matches in full).' },
              stoppedBy: {
                type: 'string',
                enum: ['end', 'limit', 'scan', 'bytes', 'time'],
                description:
                  'Search only: `end`, every job was read (`nextCursor` is null); `limit`, `scan`, your bounds were reached; `bytes`, `time`, the server\'s (4 MiB of job data, 2 s) were, before `scan` jobs were read: go on with `nextCursor`.',
              },
            },
            required: ['jobs', 'nextCursor'],
          }),
        },
        errors: [400, 429, ...REDIS],
      }),
    },
    [`${base}/bulk`]: {
      post: operation(tag, `enqueue${name}Bulk`, `Enqueue many ${type} jobs in one call`, {
        description:
          'Every item is validated first: one bad item is a 422 naming its index, and nothing is enqueued. Otherwise all go to Redis in one pipeline, each with its own outcome. Items with their own `jobId` make the request safe to resend.',
        body: ref(`${name}BulkEnqueue`),
        responses: {
          '202': json('Every job is stored (`status: all`); outcomes in the order sent.', ref('BulkAccepted')),
          '207': json('Some or none are stored (`status: some` or `none`): each item has its id and state, or its error.', ref('BulkAccepted')),
        },
        errors: ENQUEUE,
      }),
    },
    [`${base}/{id}`]: {
      get: operation(tag, `get${name}Job`, `Read one ${type} job`, {
        description: WAIT_NOTE,
        parameters: [jobIdParam, ...queryParameters(WaitQuery)],
        responses: { '200': json('The job.', job) },
        errors: [400, 404, ...REDIS],
      }),
      delete: operation(tag, `cancel${name}Job`, `Cancel one ${type} job`, {
        parameters: [jobIdParam],
        responses: { '200': json('Removed before it ran.', ref('Cancelled')), '202': json('Running: worker processes received the cancel, and its handler is being aborted.', ref('Cancelled')) },
        errors: [400, 404, 409, ...REDIS],
      }),
    },
    [`${base}/{id}/retry`]: {
      post: operation(tag, `retry${name}Job`, `Retry one failed ${type} job`, {
        parameters: [jobIdParam],
        responses: { '202': json('Back in the queue.', ref('Retried')) },
        errors: [400, 404, 409, ...REDIS],
      }),
    },
    [`${base}/{id}/events`]: {
      get: operation(tag, `watch${name}Job`, `Follow one ${type} job as Server-Sent Events`, {
        description:
          'First a `state` event with the job, then `progress` events (`{progress}`), then `completed` (`{result}`) or `failed` (`{error}`), after which the stream closes (at once if the job had already finished). Each `data` is JSON. Every event has an `id`, counting up by one: reconnect with `Last-Event-ID` and the ids go on from it, with the `state` now first (it holds the latest progress; progress events missed are not replayed one by one, and a job that finished meanwhile gets its final event again), then live events.',
        parameters: [jobIdParam, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^[0-9]{1,15}$' }, description: 'The id of the last event seen, when resuming a stream.' }],
        responses: { '200': { description: 'An event stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
        errors: [400, 404, ...REDIS],
      }),
    },
    [`/v1/queues/${type}/pause`]: {
      post: operation('queues', `pause${name}`, `Pause ${type}: workers take no new ${type} jobs (running ones finish; enqueueing goes on)`, {
        responses: { '200': json('Paused.', ref('QueuePaused')) },
        errors: REDIS,
      }),
    },
    [`/v1/queues/${type}/resume`]: {
      post: operation('queues', `resume${name}`, `Resume ${type}`, {
        responses: { '200': json('Resumed.', ref('QueuePaused')) },
        errors: REDIS,
      }),
    },
    [`/v1/queues/${type}/tenants`]: {
      get: operation('tenants', `list${name}Tenants`, `The busiest tenants of ${type}: backlog, running jobs, wait to start`, {
        description:
          'Tenants are API keys (or client addresses with auth disabled). Sorted by backlog, then running jobs; tenants with none waiting (running, paused, or with a job started in the last 10 minutes, so their waits stay visible) come after.',
        parameters: queryParameters(TenantQuery),
        responses: { '200': json('A page of tenants; pass `nextCursor` as `cursor` for the next one.', ref('TenantPage')) },
        errors: [400, 404, ...REDIS],
      }),
    },
    ...Object.fromEntries(
      (['pause', 'resume'] as const).map((action) => [
        `/v1/queues/${type}/tenants/{tenant}/${action}`,
        {
          post: operation('tenants', `${action}${name}Tenant`, action === 'pause' ? `Pause one tenant of ${type}: its jobs wait, the others run` : `Resume one tenant of ${type}`, {
            parameters: [pathParam('tenant', 'key:<key id>, ip:<address> or anonymous, URL-encoded.')],
            responses: { '200': json(action === 'pause' ? 'Paused.' : 'Resumed.', ref('TenantPaused')) },
            errors: [400, 404, ...REDIS],
          }),
        },
      ]),
    ),
  };
}

/** Paths that are not per job type. */
function sharedPaths(): Record<string, PathItem> {
  const scheduleId = pathParam('id', 'Your name for the schedule: 1-128 of A-Z a-z 0-9 _ - .');
  return {
    '/v1/job-types': {
      get: operation('catalog', 'listJobTypes', 'Every job type, its options and its payload and result JSON Schemas', {
        responses: { '200': json('The catalog.', { type: 'object', properties: { types: { type: 'array', items: ref('JobType') } } }) },
        errors: [],
      }),
    },
    '/v1/queues': {
      get: operation('queues', 'listQueues', 'Counts per state, paused or not, and live workers, per job type', {
        responses: { '200': json('Every queue.', { type: 'object', properties: { queues: { type: 'array', items: ref('QueueStatus') } } }) },
        errors: REDIS,
      }),
    },
    '/v1/workers': {
      get: operation('queues', 'listWorkers', 'Live worker processes, from their heartbeats', {
        responses: { '200': json('Every live worker.', { type: 'object', properties: { workers: { type: 'array', items: ref('WorkerHeartbeat') } } }) },
        errors: REDIS,
      }),
    },
    '/v1/proxies': {
      get: operation('operations', 'listProxies', "page-extract's proxies: state (healthy or cooling), counts, last error, cool-down end", {
        description:
          'Each proxy configured for this API (FETCH_PROXIES / FETCH_PROXIES_FILE) or used by a worker within the last hour, from the health the workers share in Redis. Credentials are masked; `proxy` is `host:port`, as job results and metrics name it.',
        responses: {
          '200': json('Every known proxy, sorted by host:port (empty when page-extract fetches directly).', {
            type: 'object',
            properties: { proxies: { type: 'array', items: schemaOf(ProxyStatus, 'output') } },
            required: ['proxies'],
          }),
        },
        errors: REDIS,
      }),
    },
    '/v1/schedules': {
      get: operation('schedules', 'listSchedules', 'Every schedule', {
        responses: { '200': json('Every schedule.', { type: 'object', properties: { schedules: { type: 'array', items: ref('Schedule') } } }) },
        errors: REDIS,
      }),
    },
    '/v1/schedules/{id}': {
      put: operation('schedules', 'putSchedule', 'Create or replace a schedule (every N ms, or a cron pattern)', {
        description:
          'The payload passes the validation and admission of a POST of its type (the same 422, 429 and 503 answers; nothing is stored when refused; one rate token per PUT); each run is an ordinary job of its type.',
        parameters: [scheduleId],
        body: ref('ScheduleBody'),
        responses: { '200': json('The schedule as stored.', ref('Schedule')) },
        errors: [400, 404, 415, 422, 429, ...REDIS],
      }),
      get: operation('schedules', 'getSchedule', 'Read one schedule', {
        parameters: [scheduleId],
        responses: { '200': json('The schedule.', ref('Schedule')) },
        errors: [400, 404, ...REDIS],
      }),
      delete: operation('schedules', 'deleteSchedule', 'Remove a schedule (jobs it already made stay)', {
        parameters: [scheduleId],
        responses: { '200': json('Removed.', { type: 'object', properties: { id: { type: 'string' }, removed: { const: true } } }) },
        errors: [400, 404, ...REDIS],
      }),
    },
    '/healthz': {
      get: operation('operations', 'health', 'The process is up (never touches Redis)', {
        responses: { '200': json('Up.', { type: 'object', properties: { status: { const: 'ok' } } }) },
        errors: [],
      }),
    },
    '/readyz': {
      get: operation('operations', 'ready', 'This process can serve: Redis answers in time', {
        responses: { '200': json('Ready.', { type: 'object', properties: { status: { const: 'ready' } } }) },
        errors: REDIS,
      }),
    },
    '/metrics': {
      get: operation('operations', 'metrics', "This process's Prometheus metrics", {
        responses: { '200': { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } } },
        errors: [],
      }),
    },
    '/openapi.json': {
      get: operation('operations', 'openapi', 'This document', {
        responses: { '200': json('OpenAPI 3.1.', { type: 'object' }) },
        errors: [],
      }),
    },
    '/docs': {
      get: operation('operations', 'docs', 'This document, browsable (Swagger UI)', {
        responses: { '200': { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } },
        errors: [],
      }),
    },
  };
}

/**
 * Each operation's security, from the same rule the API enforces
 * (auth/required-scope.ts): open ones say so, the others name their scope and
 * answer 401 and 403 too.
 */
function withScopes(paths: Record<string, PathItem>): Record<string, PathItem> {
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const scope = requiredScope(method.toUpperCase(), path.replace(/\{[^}]+\}/g, 'x'));
      if (scope === 'open') {
        op.security = [];
        continue;
      }
      op.description = `${typeof op.description === 'string' ? `${op.description}\n\n` : ''}Needs an API key with the \`${scope}\` scope (or \`admin\`).`;
      op.responses = { ...(op.responses as object), '401': errorRef(401), '403': errorRef(403) };
    }
  }
  return paths;
}

/**
 * The OpenAPI 3.1 document of the API, generated from the job catalog and the
 * request schemas the routes validate with: adding a job type adds its paths
 * and schemas here without a line written for it.
 */
export function buildOpenApiDocument(options: OpenApiOptions): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'floodgate',
      version: options.version,
      description:
        'Enqueue jobs, wait for their results, and watch, cancel and retry them. Every error answers `{"error":{"code","message","details"}}` with a stable `code`.',
    },
    servers: [{ url: '/' }],
    tags: [
      ...jobTypes.map((type) => ({ name: `jobs: ${type}`, description: catalog[type].description })),
      { name: 'queues' },
      { name: 'tenants', description: 'Fair shares inside a job type: who waits, who runs, and pausing one tenant.' },
      { name: 'schedules' },
      { name: 'catalog' },
      { name: 'operations' },
    ],
    paths: withScopes(Object.assign({}, ...jobTypes.map(jobTypePaths), sharedPaths())),
    components: {
      schemas: schemaComponents(options.bulkMaxJobs),
      responses: errorResponses(),
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `npm run keys:create` (also accepted as `X-API-Key`).' } },
    },
    security: [{ apiKey: [] }],
  };
}
