import type { ListableJobState } from './job.js';

/** One queue in `GET /v1/queues`: counts per state, paused or not, and its live workers. */
export interface QueueStatus<T extends string = string> {
  type: T;
  paused: boolean;
  counts: Partial<Record<ListableJobState, number>>;
  /** Ids (`host:pid`) of the live worker processes running this type. */
  workers: string[];
}

/** What `pauseQueue` and `resumeQueue` return. */
export interface QueuePauseState<T extends string = string> {
  type: T;
  paused: boolean;
}

/** One tenant of a fair type: an API key (`key:<id>`), a client address (`ip:<address>`, auth disabled) or `anonymous`. */
export interface TenantStatus {
  tenant: string;
  /** Its jobs waiting for their turn, delayed ones included. */
  backlog: number;
  /** Its jobs dispatched and not finished: running, or next in line. */
  running: number;
  /** Paused by an operator: its jobs wait, the type's other tenants run. */
  paused: boolean;
  /** Its share against other tenants with jobs waiting (its key's weight). */
  weight: number;
  /** From added (or due) to started, over its recent jobs; null before any. */
  waitToStart: { p50Ms: number; p95Ms: number; samples: number } | null;
}

/** A page of `listTenants`: the busiest first. */
export interface TenantPage<T extends string = string> {
  type: T;
  tenants: TenantStatus[];
  nextCursor: string | null;
}

/** What `pauseTenant` and `resumeTenant` return. */
export interface TenantPauseState<T extends string = string> {
  type: T;
  tenant: string;
  paused: boolean;
}

/** A live worker process, from its heartbeat (`GET /v1/workers`). */
export interface WorkerStatus {
  /** `host:pid`, the same as a job's `processedBy`. */
  id: string;
  host: string;
  pid: number;
  /** Job types it runs, with their concurrency and the attempts active now. */
  queues: Array<{ type: string; concurrency: number; active: number }>;
  /** Threads of its CPU pool. */
  cpuThreads: number;
  /** Event-loop delay p99 over the last beat, in milliseconds. */
  eventLoopDelayP99Ms: number;
  rssBytes: number;
  uptimeSeconds: number;
  startedAt: string;
  /** When this beat was written. */
  beatAt: string;
}

/** One page-extract proxy and its health (`GET /v1/proxies`, admin). */
export interface ProxyStatus {
  /** Redis-safe id (`127.0.0.1_8080`). */
  id: string;
  /** `host:port`, as results and metrics name it. */
  proxy: string;
  /** The URL with credentials masked. */
  url: string;
  state: 'healthy' | 'cooling';
  /** Whether the answering API process's configuration lists it. */
  configured: boolean;
  successes: number;
  failures: number;
  /** Cool-downs ended by the background health check. */
  revivals: number;
  /** Consecutive cool-downs. */
  strikes: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSuccessAt: string | null;
  /** When the current cool-down ends (ISO time), or null when healthy. */
  coolingUntil: string | null;
}

/** One job type as `GET /v1/job-types` describes it: its catalog options and its payload and result JSON Schemas. */
export interface JobTypeInfo<T extends string = string> {
  type: T;
  description: string;
  concurrency: number;
  cpuBound: boolean;
  timeoutMs: number;
  attempts: number;
  backoff: Record<string, unknown>;
  retention: Record<string, unknown>;
  payloadSchema: Record<string, unknown>;
  resultSchema: Record<string, unknown>;
}
