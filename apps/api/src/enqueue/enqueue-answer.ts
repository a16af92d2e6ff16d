import type { JobType } from '@floodgate/shared/jobs';
import type { Accepted, BulkAccepted, JobView, NewJobState } from '@floodgate/shared/wire';
import { toHttpError } from '../http/error-handler';
import { jobLink } from '../http/job-link';
import { toJobView } from '../http/job-view';
import type { EnqueueOutcome } from './enqueue-pipeline';
import type { JobEnvelope } from './parse-request';

/** An enqueue's HTTP answer, written alike by the lean listener and express. */
export type EnqueueAnswer = { status: 200; body: JobView; location: string } | { status: 202; body: Accepted; location: string };

/**
 * The last stage: 202 with `Accepted` for a new job; 200 with the job's view
 * for one an idempotency key (or `jobId`) had already asked for.
 */
export function enqueueAnswer(outcome: EnqueueOutcome): EnqueueAnswer {
  const self = jobLink(outcome.type, outcome.id);
  if (!outcome.created) return { status: 200, body: outcomeView(outcome), location: self };
  return { status: 202, body: { id: outcome.id, type: outcome.type, state: outcome.state as NewJobState, links: { self } }, location: self };
}

/** The job's view; for an `expired` one (retention removed it) only its id and type are still known. */
export function outcomeView(outcome: EnqueueOutcome): JobView {
  if (outcome.job) return toJobView(outcome.type, outcome.job, outcome.state);
  return {
    id: outcome.id,
    type: outcome.type,
    state: outcome.state,
    progress: 0,
    attempts: 0,
    result: null,
    error: null,
    createdAt: null,
    startedAt: null,
    finishedAt: null,
    processedBy: null,
  };
}

/**
 * A bulk enqueue's answer: each item's outcome in the order sent (its id and
 * state, or the error it would have got alone), and whether all, some or none are stored.
 */
export function bulkAnswer(type: JobType, items: Array<{ envelope: JobEnvelope; outcome: EnqueueOutcome | Error }>): { status: 202 | 207; body: BulkAccepted } {
  const jobs = items.map(({ envelope, outcome }): BulkAccepted['jobs'][number] => {
    if (!(outcome instanceof Error)) {
      return { id: outcome.id, state: outcome.state, created: outcome.created, links: { self: jobLink(type, outcome.id) } };
    }
    const { code, message, details } = toHttpError(outcome);
    const id = envelope.jobId ?? (details as { id?: string } | undefined)?.id;
    return { ...(id === undefined ? {} : { id }), error: details === undefined ? { code, message } : { code, message, details } };
  });
  const count = jobs.filter((job) => !('error' in job)).length;
  const status = count === jobs.length ? 'all' : count === 0 ? 'none' : 'some';
  return { status: status === 'all' ? 202 : 207, body: { type, status, count, jobs } };
}
