/**
 * The client's shapes against the API's route table, checked by the type
 * checker alone (`npm run typecheck`; not built, not shipped): each line stops
 * compiling when what a route answers no longer fits what the client declares,
 * so the client, which has no dependencies, cannot drift from the API.
 */
import type { Accepted, AnswerOf } from '@floodgate/shared/wire';
import type { BulkEnqueued, CancelledJob, EnqueuedJob, RetriedJob } from './answers.js';
import type { Job } from './job.js';
import type { JobPage, SearchPage } from './job-pages.js';
import type { JobTypeInfo, ProxyStatus, QueuePauseState, QueueStatus, TenantPage, TenantPauseState, WorkerStatus } from './operations.js';
import type { RemovedSchedule, Schedule } from './schedule.js';

/** `true` when every answer the API may send is a value of the client's type. */
type Fits<Answer, Client> = [Answer] extends [Client] ? true : false;

export const wireConformance: Record<string, true> = {
  // The client adds `created` from the status (202 made it, 200 found it).
  enqueued: true satisfies Fits<Accepted, Omit<EnqueuedJob, 'created'>>,
  job: true satisfies Fits<AnswerOf<'getJob', 200>, Job>,
  enqueueFound: true satisfies Fits<AnswerOf<'enqueueJob', 200>, Job>,
  bulk: true satisfies Fits<AnswerOf<'enqueueBulk', 202>, BulkEnqueued>,
  bulkSome: true satisfies Fits<AnswerOf<'enqueueBulk', 207>, BulkEnqueued>,
  cancelled: true satisfies Fits<AnswerOf<'cancelJob', 200>, CancelledJob>,
  cancelling: true satisfies Fits<AnswerOf<'cancelJob', 202>, CancelledJob>,
  retried: true satisfies Fits<AnswerOf<'retryJob', 202>, RetriedJob>,
  list: true satisfies Fits<AnswerOf<'listJobs', 200>, JobPage>,
  // A search's answer always carries its costs; the route's schema has them optional for plain listings.
  search: true satisfies Fits<Required<AnswerOf<'listJobs', 200>>, SearchPage>,
  queues: true satisfies Fits<AnswerOf<'listQueues', 200>, { queues: QueueStatus[] }>,
  paused: true satisfies Fits<AnswerOf<'pauseQueue', 200>, QueuePauseState>,
  resumed: true satisfies Fits<AnswerOf<'resumeQueue', 200>, QueuePauseState>,
  tenants: true satisfies Fits<AnswerOf<'listTenants', 200>, TenantPage>,
  tenantPaused: true satisfies Fits<AnswerOf<'pauseTenant', 200>, TenantPauseState>,
  workers: true satisfies Fits<AnswerOf<'listWorkers', 200>, { workers: WorkerStatus[] }>,
  proxies: true satisfies Fits<AnswerOf<'listProxies', 200>, { proxies: ProxyStatus[] }>,
  jobTypes: true satisfies Fits<AnswerOf<'listJobTypes', 200>, { types: JobTypeInfo[] }>,
  schedule: true satisfies Fits<AnswerOf<'getSchedule', 200>, Schedule>,
  schedulePut: true satisfies Fits<AnswerOf<'putSchedule', 200>, Schedule>,
  schedules: true satisfies Fits<AnswerOf<'listSchedules', 200>, { schedules: Schedule[] }>,
  scheduleRemoved: true satisfies Fits<AnswerOf<'deleteSchedule', 200>, RemovedSchedule>,
};
