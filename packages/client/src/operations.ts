import type * as Wire from './wire.generated.js';
import type { OfType } from './wire-shapes.js';

/** One queue in `GET /v1/queues`: counts per state, paused or not, and its live workers. */
export type QueueStatus<T extends string = string> = OfType<Wire.QueueStatus, T>;

/** What `pauseQueue` and `resumeQueue` return. */
export type QueuePauseState<T extends string = string> = OfType<Wire.QueuePaused, T>;

/** One tenant of a fair type: an API key (`key:<id>`), a client address (`ip:<address>`, auth disabled) or `anonymous`. */
export type TenantStatus = Wire.TenantStatus;

/** A page of `listTenants`: the busiest first. */
export type TenantPage<T extends string = string> = OfType<Wire.TenantPage, T>;

/** What `pauseTenant` and `resumeTenant` return. */
export type TenantPauseState<T extends string = string> = OfType<Wire.TenantPaused, T>;

/** A live worker process, from its heartbeat (`GET /v1/workers`). */
export type WorkerStatus = Wire.WorkerHeartbeat;

/** One page-extract proxy and its health (`GET /v1/proxies`, admin). */
export type ProxyStatus = Wire.ProxyStatus;

/** One job type as `GET /v1/job-types` describes it: its catalog options and its payload and result JSON Schemas. */
export type JobTypeInfo<T extends string = string> = OfType<Wire.JobTypeInfo, T>;
