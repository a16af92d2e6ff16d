import { UnrecoverableError } from 'bullmq';

/**
 * Every failure a handler raises on purpose starts its message with one of
 * these codes and a colon. BullMQ keeps only the message (`failedReason`), so
 * the prefix is what Bull Board, the API and clients branch on.
 */

/** Retrying cannot help: the job fails at once, whatever its `attempts`. */
export type PermanentFailureCode =
  | 'invalid_payload'
  | 'invalid_result'
  | 'result_too_large'
  | 'cancelled'
  | 'forbidden_address'
  | 'forbidden_port'
  | 'unsupported_protocol'
  | 'credentials_in_url'
  | 'too_many_redirects'
  | 'invalid_redirect'
  | 'unsupported_content_type'
  | 'response_too_large';

/** May pass on a later attempt: retried per the job type's attempts and backoff. */
export type TransientFailureCode =
  | 'job_timeout'
  | 'job_cancelled'
  | 'fetch_timeout'
  | 'fetch_failed'
  | 'upstream_status'
  | 'no_healthy_proxy';

/** An error BullMQ will not retry. */
export function permanentFailure(code: PermanentFailureCode, detail: string, cause?: unknown): UnrecoverableError {
  const error = new UnrecoverableError(`${code}: ${detail}`);
  if (cause !== undefined) error.cause = cause;
  return error;
}

/** An error BullMQ retries while attempts remain. */
export function transientFailure(code: TransientFailureCode, detail: string, cause?: unknown): Error {
  return new Error(`${code}: ${detail}`, cause === undefined ? undefined : { cause });
}
