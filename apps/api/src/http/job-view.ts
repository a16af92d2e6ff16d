import type { JobType } from '@floodgate/shared/jobs';
import type { TypeQueue } from '@floodgate/shared/queues';
import type { JobState, JobView } from '@floodgate/shared/wire';
import type { Job } from 'bullmq';
import type { FinalEvent } from '../waiting/job-waiter';

/** The answer of `GET /v1/jobs/:type/:id` (shape: `JobView` in `@floodgate/shared/wire`), whatever BullMQ stores. */
export function toJobView(type: JobType, job: Job, state: JobState): JobView {
  return {
    id: String(job.id),
    type,
    state,
    progress: job.progress ?? 0,
    attempts: job.attemptsMade,
    result: (job.returnvalue ?? null) as JobView['result'],
    error: job.failedReason || null,
    createdAt: isoOrNull(job.timestamp),
    startedAt: isoOrNull(job.processedOn),
    finishedAt: isoOrNull(job.finishedOn),
    processedBy: job.processedBy ?? null,
  };
}

/**
 * The view of a job a waiter saw finish but could not read again (retention
 * removed it first, which happens when workers finish thousands a second): the
 * job as read before the wait, with how it ended from the events stream.
 */
export function finishedView(type: JobType, job: Job, final: FinalEvent): JobView {
  const view = toJobView(type, job, final.event);
  return {
    ...view,
    result: (final.event === 'completed' ? (final.returnvalue ?? null) : null) as JobView['result'],
    error: final.event === 'failed' ? final.failedReason : view.error,
    finishedAt: view.finishedAt ?? new Date().toISOString(),
  };
}

function isoOrNull(epochMs: number | undefined): string | null {
  return epochMs ? new Date(epochMs).toISOString() : null;
}

/**
 * A job and its state, or undefined when there is no such job. State first,
 * then the job: a job read first could finish in between and show as completed
 * without its result.
 */
export async function readJob(queue: Pick<TypeQueue, 'getJob' | 'getJobState'>, id: string): Promise<{ job: Job; state: JobState } | undefined> {
  const state = (await queue.getJobState(id)) as JobState;
  const job = await queue.getJob(id);
  return job ? { job, state } : undefined;
}
