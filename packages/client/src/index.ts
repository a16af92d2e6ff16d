/**
 * `@floodgate/client`: a typed fetch client for the floodgate HTTP API, with
 * retries, auto-pagination and resumed event streams. No runtime dependencies:
 * the global fetch (Node.js 20+, browsers, Deno, Bun), typed by your own job map.
 */
export { FloodgateClient, type EnqueueAndWaitOptions, type FailureOptions, type GetOptions } from './floodgate-client.js';
export { DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT_MS, type FloodgateClientOptions } from './client-options.js';
export type { AnyJobs, JobMap, JobMapOf, JobSpec, PayloadOf, ResultOf, SchemaInput, SchemaOutput, TypeOf } from './job-map.js';
export { isFinished, type Job, type JobState, type ListableJobState } from './job.js';
export type { Backoff, BulkJob, CallOptions, EnqueueOptions, JobOptions } from './job-options.js';
export type {
  ApiErrorBody,
  BulkEnqueued,
  BulkItemFailed,
  BulkItemStored,
  CancelledJob,
  EnqueuedJob,
  JobLinks,
  OutcomeUnknownDetails,
  RetriedJob,
} from './answers.js';
export type { JobPage, ListJobsQuery, SearchJobsQuery, SearchPage, SearchStop } from './job-pages.js';
export type { JobTypeInfo, ProxyStatus, QueuePauseState, QueueStatus, TenantPage, TenantPauseState, TenantStatus, WorkerStatus } from './operations.js';
export type { RemovedSchedule, Schedule, ScheduleInput } from './schedule.js';
export { PagePromise, type CursorPage } from './page-promise.js';
export { STREAM_IDLE_MS, type JobEvent, type JobEventsOptions } from './job-events.js';
export { INITIAL_RETRY_DELAY_MS, MAX_RETRY_AFTER_SECONDS, MAX_RETRY_DELAY_MS } from './retry-policy.js';
export { FloodgateApiError, isFloodgateApiError, type ApiErrorCode, type ApiErrorDetails, type DetailsOf, type ValidationIssue } from './floodgate-api-error.js';
export { FloodgateNetworkError } from './floodgate-network-error.js';
export { JobFailedError, failureCodeOf } from './job-failed-error.js';
export { MAX_WAIT_SECONDS } from './wait-seconds.js';
