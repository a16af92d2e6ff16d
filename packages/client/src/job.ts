import type { JobType, ResultOf } from '@floodgate/shared/jobs';

/**
 * Where a job is in its life, as the API reports it (BullMQ's states).
 * `unknown` shows up only when a job vanished between two reads (retention).
 */
export type JobState = 'waiting' | 'delayed' | 'prioritized' | 'active' | 'waiting-children' | 'completed' | 'failed' | 'unknown';

/** A job as `GET /v1/jobs/:type/:id` shows it, typed by its job type. */
export interface Job<T extends JobType = JobType> {
  id: string;
  type: T;
  state: JobState;
  /** What the handler last reported: a percentage or any JSON object; 0 before any report. */
  progress: unknown;
  /** Attempts made so far. */
  attempts: number;
  /** The handler's result once `state` is `completed`, else null. */
  result: ResultOf<T> | null;
  /**
   * The last attempt's failure reason, also while a retry is pending (so it is
   * not proof of failure: `state` is). Floodgate's own reasons start with a
   * code and a colon, e.g. `job_timeout: attempt exceeded 100 ms`.
   */
  error: string | null;
  /** ISO 8601 timestamps; kept as strings so the object stays plain JSON. */
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** `host:pid` of the worker process that ran (or runs) it. */
  processedBy: string | null;
}

/** Whether the job is done for good: completed, or failed with no retry left. */
export function isFinished(job: Pick<Job, 'state'>): boolean {
  return job.state === 'completed' || job.state === 'failed';
}
