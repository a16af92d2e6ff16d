import { z } from 'zod';

/**
 * Every state the API reports a job in: BullMQ's own, plus `unknown` (the job
 * vanished between two reads, e.g. retention removed it). The one list the API,
 * OpenAPI and `@floodgate/client` share.
 */
export const JobState = z.enum(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed', 'waiting-children', 'unknown']);
export type JobState = z.output<typeof JobState>;

/** The states a list of jobs can be asked for (`GET /v1/jobs/:type?state=`): every real one. */
export const ListableJobState = JobState.exclude(['unknown']);
export type ListableJobState = z.output<typeof ListableJobState>;

/** The states a job is in right after it was added. */
export const NewJobState = JobState.extract(['waiting', 'delayed', 'prioritized']);
export type NewJobState = z.output<typeof NewJobState>;

/** Whether a job is done for good: completed, or failed with no retry left. */
export function isFinalState(state: JobState): boolean {
  return state === 'completed' || state === 'failed';
}
