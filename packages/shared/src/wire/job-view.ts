import { z } from 'zod';
import { catalog, type JobType, type ResultOf } from '../jobs/catalog';
import { JobTypeName } from './job-type-name';
import { IsoTimeOrNull } from './iso-time';
import { Accepted } from './answers';
import { JobState } from './job-states';
import { perType } from './per-type';

const isoTime = IsoTimeOrNull;

/** What `GET /v1/jobs/:type/:id` answers for any type: a stable shape, whatever BullMQ stores. */
export const JobView = z.strictObject({
  id: z.string(),
  type: JobTypeName,
  state: JobState,
  progress: z.unknown().describe('What the handler last reported: a number or an object; 0 before any report.'),
  attempts: z.number().int().min(0).describe('Attempts made so far.'),
  result: z.unknown().describe("The handler's result once `state` is `completed`, else null."),
  error: z.string().nullable().describe("The last attempt's failure reason, also while a retry is pending (so it is not proof of failure: `state` is). Floodgate's own reasons start with a code and a colon, e.g. `job_timeout: attempt exceeded 100 ms`."),
  createdAt: isoTime.describe('When it was enqueued (ISO 8601), or null when unknown.'),
  startedAt: isoTime.describe('When its last attempt started (ISO 8601), or null before any.'),
  finishedAt: isoTime.describe('When it completed or last failed (ISO 8601), or null.'),
  processedBy: z.string().nullable().describe('`host:pid` of the worker process that ran (or runs) it.'),
});

/** The job view of one type: its `type` is that type and its `result` that type's result schema. */
export const jobViewOf = perType(
  (type: JobType) => JobView.extend({ type: z.literal(type), result: (catalog[type].result as z.ZodType).nullable() }),
  JobView,
);

/** A job as `GET /v1/jobs/:type/:id` shows it, typed by its job type. */
export type JobView<T extends JobType = JobType> = Omit<z.output<typeof JobView>, 'type' | 'result'> & {
  type: T;
  result: ResultOf<T> | null;
};

/** The 202 of an enqueue: the new job's id and link, or, with `?wait=`, the job as the wait left it. */
export const enqueuedOrJobOf = perType((type: JobType) => Accepted.or(jobViewOf(type)), Accepted.or(JobView));
