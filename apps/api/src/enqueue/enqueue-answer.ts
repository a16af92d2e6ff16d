import type { Accepted, BulkAccepted, JobView } from '@floodgate/shared/wire';
import { jobLink } from '../http/job-link';
import { toJobView } from '../http/job-view';
import type { EnqueueOutcome } from './enqueue-pipeline';

/** An enqueue's HTTP answer, written alike by the lean listener and express. */
export interface EnqueueAnswer {
  status: 200 | 202;
  body: Accepted | JobView;
  location: string;
}

/**
 * The last stage: 202 with `Accepted` for a new job; 200 with the job's view
 * for one an idempotency key (or `jobId`) had already made.
 */
export function enqueueAnswer(outcome: EnqueueOutcome): EnqueueAnswer {
  const self = jobLink(outcome.type, outcome.id);
  if (!outcome.created) return { status: 200, body: toJobView(outcome.type, outcome.job, outcome.state), location: self };
  return { status: 202, body: { id: outcome.id, type: outcome.type, state: outcome.state, links: { self } }, location: self };
}

/** 202 to a bulk enqueue: every job's id, state and link, in the order sent. */
export function bulkAnswer(type: EnqueueOutcome['type'], outcomes: EnqueueOutcome[]): BulkAccepted {
  return {
    type,
    count: outcomes.length,
    jobs: outcomes.map((outcome) => ({
      id: outcome.id,
      state: outcome.state as BulkAccepted['jobs'][number]['state'],
      links: { self: jobLink(type, outcome.id) },
    })),
  };
}
