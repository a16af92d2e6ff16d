import type { JobType } from '@floodgate/shared/jobs';
import type { JobState, JobView } from '@floodgate/shared/wire';

/**
 * Where a job is in its life, as the API reports it (BullMQ's states).
 * `unknown` shows up only when a job vanished between two reads (retention).
 */
export type { JobState };

/** A job as `GET /v1/jobs/:type/:id` shows it, typed by its job type (the wire schema `JobView`). */
export type Job<T extends JobType = JobType> = JobView<T>;

/** Whether the job is done for good: completed, or failed with no retry left. */
export function isFinished(job: Pick<Job, 'state'>): boolean {
  return job.state === 'completed' || job.state === 'failed';
}
