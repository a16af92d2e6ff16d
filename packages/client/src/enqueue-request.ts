import { jobPath, type EnqueuedJob } from './answers.js';
import type { FloodgateApiError } from './floodgate-api-error.js';
import type { HttpRequest } from './http-transport.js';
import { jobOptionsBody, type BulkJob, type EnqueueOptions, type JobOptions } from './job-options.js';
import type { JobState } from './job.js';
import type { Sent } from './send-with-retries.js';

/**
 * Codes with which the API refuses an enqueue before anything is stored:
 * admission (overloaded, Redis nearly full, backlog or rate spent) and Redis
 * unreachable. After these even an enqueue that must not run twice is resent.
 */
export const ENQUEUE_REFUSALS: ReadonlySet<string> = new Set(['overloaded', 'redis_memory_high', 'redis_unavailable', 'queue_full', 'tenant_queue_full', 'rate_limited']);

/** The key that makes an enqueue safe to resend, and whether the client made it up (then only this call could have used it). */
export interface EnqueueKey {
  header: Record<string, string>;
  generated: boolean;
}

/**
 * The caller's idempotency key, or none with the caller's own jobId (the API
 * takes one or the other), or else a new random one. Made once per call and sent
 * with every attempt: that is what makes a resend find the job a lost answer made.
 */
export function enqueueKeyOf(options: Pick<EnqueueOptions, 'idempotencyKey' | 'jobId'>): EnqueueKey {
  if (options.idempotencyKey !== undefined) return { header: { 'idempotency-key': options.idempotencyKey }, generated: false };
  if (options.jobId !== undefined) return { header: {}, generated: false };
  return { header: { 'idempotency-key': globalThis.crypto.randomUUID() }, generated: true };
}

/** `POST /v1/jobs/:type` (with `?wait=` when waiting). */
export function enqueueRequest(type: string, payload: unknown, options: EnqueueOptions, key: EnqueueKey, waitSeconds = 0): HttpRequest {
  const body = withOptions({ payload, ...(options.jobId === undefined ? {} : { jobId: options.jobId }) }, jobOptionsBody(options));
  return {
    method: 'POST',
    path: `/v1/jobs/${encodeURIComponent(type)}${waitSeconds > 0 ? `?wait=${waitSeconds}` : ''}`,
    json: body,
    headers: key.header,
    waitSeconds,
    resend: 'safe',
  };
}

/**
 * `POST /v1/jobs/:type/bulk`. Safe to resend only when every item has its own
 * jobId (the endpoint takes no idempotency key): otherwise only refusals are resent.
 */
export function bulkRequest(type: string, jobs: ReadonlyArray<BulkJob>): HttpRequest {
  return {
    method: 'POST',
    path: `/v1/jobs/${encodeURIComponent(type)}/bulk`,
    json: { jobs: jobs.map((job) => withOptions({ payload: job.payload, ...(job.jobId === undefined ? {} : { jobId: job.jobId }) }, jobOptionsBody(job.options))) },
    resend: jobs.every((job) => job.jobId !== undefined) ? 'safe' : { refusals: ENQUEUE_REFUSALS },
  };
}

/** The GET that settles a 503 `enqueue_outcome_unknown`: the job it names, waited for as the enqueue would have. */
export function outcomeLookup(type: string, waitSeconds = 0): (unknown: FloodgateApiError) => HttpRequest {
  return (unknown) => {
    const id = String((unknown.details as { id?: unknown } | undefined)?.id ?? '');
    return { method: 'GET', path: `${jobPath(type, id)}${waitSeconds > 0 ? `?wait=${waitSeconds}` : ''}`, waitSeconds, resend: 'safe' };
  };
}

/**
 * What `enqueue` returns. 202: a new job. 200: the key (or jobId) found a job,
 * answered with its whole view: made by an earlier call, unless the key is one
 * this call made up and an earlier attempt of this call had been sent (its
 * answer was lost). A lookup's answer is the job this call's add made.
 */
export function enqueuedJob<T extends string>(type: T, sent: Sent, key: EnqueueKey): EnqueuedJob<T> {
  const body = sent.answer.body as { id: string | number; state: JobState; links?: { self: string } };
  const id = String(body.id);
  const repeat = sent.answer.status === 200 && !sent.foundByLookup;
  return {
    id,
    type,
    state: body.state,
    links: { self: body.links?.self ?? sent.answer.headers.get('location') ?? jobPath(type, id) },
    created: !repeat || (key.generated && sent.attempts > 1),
  };
}

/** `fields` with `options` when there are any: the smallest body the API takes. */
function withOptions(fields: Record<string, unknown>, options: JobOptions | undefined): Record<string, unknown> {
  return options === undefined ? fields : { ...fields, options };
}
