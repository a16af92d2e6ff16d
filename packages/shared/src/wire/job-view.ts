import { z } from 'zod';
import { catalog, type JobType, type ResultOf } from '../jobs/catalog';
import { JobTypeName } from './job-type-name';
import { IsoTimeOrNull } from './iso-time';
import { JobState } from './job-states';

const isoTime = IsoTimeOrNull;

/** What `GET /v1/jobs/:type/:id` answers for any type: a stable shape, whatever BullMQ stores. */
export const JobView = z.strictObject({
  id: z.string(),
  type: JobTypeName,
  state: JobState,
  /** What the handler last reported: a number or an object; 0 before any report. */
  progress: z.unknown(),
  /** Attempts made so far. */
  attempts: z.number().int().min(0),
  /** The handler's result once `state` is `completed`, else null. */
  result: z.unknown(),
  /**
   * The last attempt's failure reason, also while a retry is pending (so it is
   * not proof of failure: `state` is). Floodgate's own reasons start with a
   * code and a colon, e.g. `job_timeout: attempt exceeded 100 ms`.
   */
  error: z.string().nullable(),
  /** ISO 8601 timestamps, kept as strings so the object stays plain JSON. */
  createdAt: isoTime,
  startedAt: isoTime,
  finishedAt: isoTime,
  /** `host:pid` of the worker process that ran (or runs) it. */
  processedBy: z.string().nullable(),
});

/** The job view of one type: its `type` is that type and its `result` that type's result schema. */
export function jobViewOf(type: JobType) {
  return JobView.extend({ type: z.literal(type), result: (catalog[type].result as z.ZodType).nullable() });
}

/** A job as `GET /v1/jobs/:type/:id` shows it, typed by its job type. */
export type JobView<T extends JobType = JobType> = Omit<z.output<typeof JobView>, 'type' | 'result'> & {
  type: T;
  result: ResultOf<T> | null;
};
