import type { Job, Queue } from 'bullmq';
import type { FinalEvent } from './job-waiter';

/** What `GET /v1/jobs/:type/:id` answers: a stable shape, whatever BullMQ stores. */
export interface JobView {
  id: string;
  type: string;
  /** BullMQ state: waiting, delayed, prioritized, active, completed, failed, waiting-children or unknown. */
  state: string;
  progress: unknown;
  /** Attempts made so far. */
  attempts: number;
  result: unknown;
  /** The last failure's reason, even while a retry is pending. */
  error: string | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** `host:pid` of the worker process that ran (or runs) it. */
  processedBy: string | null;
}

export function toJobView(type: string, job: Job, state: string): JobView {
  return {
    id: String(job.id),
    type,
    state,
    progress: job.progress ?? 0,
    attempts: job.attemptsMade,
    result: job.returnvalue ?? null,
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
export function finishedView(type: string, job: Job, final: FinalEvent): JobView {
  const view = toJobView(type, job, final.event);
  return {
    ...view,
    result: final.event === 'completed' ? (final.returnvalue ?? null) : null,
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
export async function readJob(queue: Queue, id: string): Promise<{ job: Job; state: string } | undefined> {
  const state = await queue.getJobState(id);
  const job = await queue.getJob(id);
  return job ? { job, state } : undefined;
}
