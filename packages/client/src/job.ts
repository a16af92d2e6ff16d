import type { AnyJobs, JobMap, ResultOf, TypeOf } from './job-map.js';
import type * as Wire from './wire.generated.js';
import type { OfType } from './wire-shapes.js';

/**
 * Where a job is in its life, as the API reports it: BullMQ's states, plus
 * `unknown` (the job vanished between two reads: retention) and `expired` (an
 * idempotency key's job that retention has since removed: it ran, nothing more is known).
 */
export type JobState = Wire.JobState;

/** The states a list of jobs can be asked for: every real one. */
export type ListableJobState = Wire.ListableJobState;

/**
 * A job as `GET /v1/jobs/:type/:id` shows it, typed by its job type: with a
 * union of types it is a union of jobs, so checking `type` narrows `result`.
 */
export type Job<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> = T extends unknown
  ? OfType<Wire.JobView, T, { result: ResultOf<Jobs, T> | null }>
  : never;

/** Whether the job is done for good: completed, or failed with no retry left. */
export function isFinished(job: { state: JobState }): boolean {
  return job.state === 'completed' || job.state === 'failed';
}
