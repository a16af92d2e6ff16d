import type { JobType, PayloadOf } from '@floodgate/shared/jobs';
import type { Backoff, EnqueueOptions as WireEnqueueOptions } from '@floodgate/shared/wire';

/** How long to wait before each retry (the wire schema `Backoff`). */
export type { Backoff };

/**
 * What one job may ask for on top of its type's catalog defaults (the wire
 * schema `EnqueueOptions`, with its bounds). The API checks every bound (an
 * out-of-range value is a 422 `invalid_payload`), so the client does not repeat them.
 */
export type JobOptions = WireEnqueueOptions;

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the request; the call then rejects with the signal's reason, as `fetch` does. */
  signal?: AbortSignal;
}

/** `enqueue` and `enqueueAndWait`: the job's options, at-most-once keys, and the call's signal. */
export interface EnqueueOptions extends JobOptions, CallOptions {
  /**
   * Sent as the `Idempotency-Key` header: a repeat with the same key and payload
   * gets the job the first call made (while it is retained) instead of a new one;
   * another payload under the same key is a 409 `idempotency_conflict`.
   */
  idempotencyKey?: string;
  /**
   * Your own id for the job (1-128 of `A-Z a-z 0-9 _ -`, not all digits); it
   * deduplicates like an idempotency key. Give one or the other, not both (400).
   */
  jobId?: string;
}

/** One job of a bulk enqueue. */
export interface BulkJob<T extends JobType> {
  payload: PayloadOf<T>;
  options?: JobOptions;
  /** Your own id for this job: a bulk request resent with its items' ids adds none twice. */
  jobId?: string;
}

/**
 * The `options` object of a request body, or undefined when nothing is set.
 * Fields are picked one by one rather than spread: the API refuses unknown
 * fields, and the caller's object also carries `signal` and the dedupe keys.
 */
export function jobOptionsBody(options: JobOptions | undefined): JobOptions | undefined {
  if (!options) return undefined;
  const { delayMs, priority, attempts, backoff, timeoutMs, group } = options;
  const picked: JobOptions = {
    ...(group === undefined ? {} : { group }),
    ...(delayMs === undefined ? {} : { delayMs }),
    ...(priority === undefined ? {} : { priority }),
    ...(attempts === undefined ? {} : { attempts }),
    ...(backoff === undefined ? {} : { backoff }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  return Object.keys(picked).length === 0 ? undefined : picked;
}
