import type { AnyJobs, JobMap, PayloadOf, TypeOf } from './job-map.js';
import type * as Wire from './wire.generated.js';
import type { OfType } from './wire-shapes.js';

/** How long to wait before each retry of a job that failed. */
export type Backoff = Wire.Backoff;

/**
 * What one job may ask for on top of its type's defaults. The API checks every
 * bound (an out-of-range value is a 422 `invalid_payload`), so the client does not repeat them.
 * (`timeoutMs` is an attempt's limit, not the HTTP request's: that is `requestTimeoutMs`.)
 */
export type JobOptions = Wire.EnqueueOptions;

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call, its retries and their waits; the call then rejects with the signal's reason, as `fetch` does. */
  signal?: AbortSignal;
  /** This call's own `maxRetries` (see FloodgateClientOptions). */
  maxRetries?: number;
  /** This call's own `requestTimeoutMs` (see FloodgateClientOptions), for each of its requests. */
  requestTimeoutMs?: number;
}

/** `enqueue` and `enqueueAndWait`: the job's options, its at-most-once key, and the call's options. */
export interface EnqueueOptions extends JobOptions, CallOptions {
  /**
   * Sent as the `Idempotency-Key` header: a repeat with the same key and payload
   * gets the job the first call made (while the API remembers the key,
   * IDEMPOTENCY_TTL, 24 h by default) instead of a new one; another payload under
   * the same key is a 409 `idempotency_conflict`. 1-128 of `A-Z a-z 0-9 _ - . :`.
   * @defaultValue a random UUID per call (not per attempt), unless you give a `jobId`
   */
  idempotencyKey?: string;
  /**
   * Your own id for the job (1-128 of `A-Z a-z 0-9 _ -`, not all digits); it
   * deduplicates like an idempotency key, and no key is sent with it.
   */
  jobId?: string;
}

/** One job of a bulk enqueue; with your own `jobId` on every item, the client may resend the request after a lost answer. */
export type BulkJob<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> = OfType<Wire.SingleJobEnvelope, T, { payload: PayloadOf<Jobs, T> }>;

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
