/**
 * `@floodgate/client`: a typed fetch client for the floodgate HTTP API. No
 * runtime dependencies: the global fetch, and only types from @floodgate/shared.
 */
export { FloodgateClient, type EnqueueAndWaitOptions, type FailureOptions, type GetOptions } from './floodgate-client';
export { DEFAULT_REQUEST_TIMEOUT_MS, type FloodgateClientOptions } from './client-options';
export { isFinished, type Job, type JobState } from './job';
export type { Backoff, BulkJob, CallOptions, EnqueueOptions, JobOptions } from './job-options';
export type { BulkEnqueued, CancelledJob, EnqueuedJob, JobLinks, RetriedJob, TenantList, TenantPauseState, TenantStatus } from './answers';
export { FloodgateApiError, isFloodgateApiError, type ApiErrorDetails, type DetailsOf, type ValidationIssue } from './floodgate-api-error';
export { FloodgateNetworkError } from './floodgate-network-error';
export { JobFailedError, failureCodeOf } from './job-failed-error';
export { MAX_WAIT_SECONDS } from './wait-seconds';
export type { ApiErrorCode } from '@floodgate/shared/errors';
export type { OutcomeUnknownDetails } from '@floodgate/shared/wire';
export type { JobType, PayloadOf, ResultOf } from '@floodgate/shared/jobs';
