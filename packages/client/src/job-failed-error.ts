import type { AnyJobs, JobMap, TypeOf } from './job-map.js';
import type { Job } from './job.js';

/** `code: detail`, the shape of every failure floodgate's worker raises on purpose. */
const FAILURE_CODE = /^([a-z][a-z0-9_]*):/;

/**
 * The code at the start of a failed job's `error` (`job_timeout`, `cancelled`,
 * `invalid_payload`, ...; apps/worker/README.md lists them and which are retried),
 * or null for a reason without one (an error a handler threw as is).
 */
export function failureCodeOf(error: string | null): string | null {
  return error === null ? null : (FAILURE_CODE.exec(error)?.[1] ?? null);
}

/**
 * Thrown by `enqueueAndWait` and `get` with `throwOnFailure: true` when the job
 * failed for good. The job ran and failed; the API itself did fine, hence not
 * a FloodgateApiError.
 */
export class JobFailedError<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> extends Error {
  override readonly name = 'JobFailedError';
  /** The failed job's view, `error` included. */
  readonly job: Job<Jobs, T>;
  /** The code its `error` starts with, or null (see {@link failureCodeOf}). */
  readonly failureCode: string | null;

  constructor(job: Job<Jobs, T>) {
    super(`The ${job.type} job "${job.id}" failed: ${job.error ?? 'no reason was recorded'}`);
    this.job = job;
    this.failureCode = failureCodeOf(job.error);
  }
}
