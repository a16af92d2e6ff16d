import type { AnyJobs, JobMap, ResultOf, TypeOf } from './job-map.js';

/**
 * Where a job is in its life, as the API reports it: BullMQ's states, plus
 * `unknown` (the job vanished between two reads: retention) and `expired` (an
 * idempotency key's job that retention has since removed: it ran, nothing more is known).
 */
export type JobState = 'waiting' | 'delayed' | 'prioritized' | 'active' | 'completed' | 'failed' | 'waiting-children' | 'unknown' | 'expired';

/** The states a list of jobs can be asked for: every real one. */
export type ListableJobState = Exclude<JobState, 'unknown' | 'expired'>;

/**
 * A job as `GET /v1/jobs/:type/:id` shows it, typed by its job type: with a
 * union of types it is a union of jobs, so checking `type` narrows `result`.
 */
export type Job<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> = T extends unknown
  ? {
      id: string;
      type: T;
      state: JobState;
      /** What the handler last reported: a number or an object; 0 before any report. */
      progress: unknown;
      /** Attempts made so far. */
      attempts: number;
      /** The handler's result once `state` is `completed`, else null. */
      result: ResultOf<Jobs, T> | null;
      /**
       * The last attempt's failure reason, also while a retry is pending (so it is
       * not proof of failure: `state` is). Floodgate's own reasons start with a
       * code and a colon, e.g. `job_timeout: attempt exceeded 100 ms`.
       */
      error: string | null;
      /** ISO 8601 times, kept as the strings the API sent. */
      createdAt: string | null;
      startedAt: string | null;
      finishedAt: string | null;
      /** `host:pid` of the worker process that ran (or runs) it. */
      processedBy: string | null;
    }
  : never;

/** Whether the job is done for good: completed, or failed with no retry left. */
export function isFinished(job: { state: JobState }): boolean {
  return job.state === 'completed' || job.state === 'failed';
}
