import type { OutcomeUnknownDetails } from './answers.js';

/**
 * The API's error code: stable, one per cause (`queue_full`, `job_not_found`,
 * ...; the table is in docs/api.md and the OpenAPI document). Kept a string:
 * the client is not tied to one API version's list.
 */
export type ApiErrorCode = string;

/** One problem in a 422 `invalid_payload` (or 400 `invalid_query`): `details.issues`. */
export interface ValidationIssue {
  /** Dotted path into the body, e.g. `payload.text` or `options.priority` (`jobs.3.payload.n` in bulk). */
  path: string;
  message: string;
  /** zod's issue code, e.g. `too_small`. */
  code: string;
}

/**
 * The `details` some codes always carry, typed. `enqueue_outcome_unknown` (503: the job may exist) carries `{id, type,
 * links}`; the client reads that job before any resend, so you see this code only once retries ran out.
 */
export interface ApiErrorDetails {
  enqueue_outcome_unknown: OutcomeUnknownDetails;
  invalid_payload: { issues: ValidationIssue[] };
  queue_full: { backlog: number; cap: number };
}

/** The typed `details` of code `C`, or `unknown` for codes without a fixed shape. */
export type DetailsOf<C extends string> = C extends keyof ApiErrorDetails ? ApiErrorDetails[C] : unknown;

/**
 * The API answered with an error: a non-2xx status and floodgate's JSON error
 * body. `code` is the stable thing to branch on; `message` is for people.
 */
export class FloodgateApiError extends Error {
  override readonly name = 'FloodgateApiError';
  readonly status: number;
  readonly code: ApiErrorCode;
  /** Extra facts for some codes: `{issues: ValidationIssue[]}` for `invalid_payload`, `{backlog, cap}` for `queue_full`, ... */
  readonly details: unknown;
  /** From `Retry-After` (429, 503): how long to wait before trying again. */
  readonly retryAfterSeconds: number | undefined;
  /** The `x-request-id` the API answered with: quote it when asking what happened. */
  readonly requestId: string | undefined;

  constructor(init: {
    status: number;
    code: ApiErrorCode;
    message: string;
    details?: unknown;
    retryAfterSeconds?: number | undefined;
    requestId?: string | undefined;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.requestId = init.requestId;
  }
}

/** Whether `err` is an API error, and with `code`, one with that code (then `err.code` and `err.details` are narrowed). */
export function isFloodgateApiError<C extends string = ApiErrorCode>(
  err: unknown,
  code?: C,
): err is FloodgateApiError & { readonly code: C; readonly details: DetailsOf<C> } {
  return err instanceof FloodgateApiError && (code === undefined || err.code === code);
}
