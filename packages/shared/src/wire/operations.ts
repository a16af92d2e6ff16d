import { z } from 'zod';
import { IsoTimeOrNull } from './iso-time';
import { ListableJobState } from './job-states';
import { JobTypeName } from './job-type-name';

/** One queue in `GET /v1/queues`: counts per state, paused or not, and its live workers. */
export const QueueStatus = z.strictObject({
  type: JobTypeName,
  paused: z.boolean(),
  counts: z.partialRecord(ListableJobState, z.number().int().min(0)),
  workers: z.array(z.string()).describe('Ids (`host:pid`) of the live worker processes running this type.'),
});
export type QueueStatus = z.output<typeof QueueStatus>;

/** `POST /v1/queues/:type/pause` and `/resume`. */
export const QueuePaused = z.strictObject({ type: JobTypeName, paused: z.boolean() });
export type QueuePaused = z.output<typeof QueuePaused>;

/** One tenant of a fair type in `GET /v1/queues/:type/tenants`. */
export const TenantStatus = z.strictObject({
  tenant: z.string().describe('`key:<id>` (an API key), `ip:<address>` (auth disabled) or `anonymous`.'),
  backlog: z.number().int().min(0).describe('Its jobs waiting for their turn, delayed ones included.'),
  running: z.number().int().min(0).describe('Its jobs dispatched and not finished: running, or next in line.'),
  paused: z.boolean().describe("Paused by an operator: its jobs wait, the type's other tenants run."),
  weight: z.number().int().min(1).describe("Its share against other tenants with jobs waiting (its key's weight)."),
  waitToStart: z.strictObject({ p50Ms: z.number().min(0), p95Ms: z.number().min(0), samples: z.number().int().min(1) }).nullable().describe('From added (or due) to started, over its recent jobs; null before any.'),
});
export type TenantStatus = z.output<typeof TenantStatus>;

/** `GET /v1/queues/:type/tenants`: the busiest tenants first; `nextCursor` for the next page. */
export const TenantPage = z.strictObject({
  type: JobTypeName,
  tenants: z.array(TenantStatus),
  nextCursor: z.string().nullable(),
});
export type TenantPage = z.output<typeof TenantPage>;

/** `POST /v1/queues/:type/tenants/:tenant/pause` and `/resume`. */
export const TenantPaused = z.strictObject({ type: JobTypeName, tenant: z.string(), paused: z.boolean() });
export type TenantPaused = z.output<typeof TenantPaused>;

/** A schedule as stored: every N ms or on a cron pattern, and the payload of each run. */
export const Schedule = z.strictObject({
  id: z.string(),
  type: JobTypeName,
  everyMs: z.number().int().nullable(),
  cron: z.string().nullable(),
  tz: z.string().nullable(),
  next: IsoTimeOrNull,
  iterations: z.number().int().min(0),
  payload: z.unknown(),
});
export type Schedule = z.output<typeof Schedule>;

/** One entry of `GET /v1/job-types`: the type's catalog options and its payload and result JSON Schemas. */
export const JobTypeInfo = z.strictObject({
  type: JobTypeName,
  description: z.string(),
  concurrency: z.number().int(),
  cpuBound: z.boolean(),
  timeoutMs: z.number().int(),
  attempts: z.number().int(),
  backoff: z.record(z.string(), z.unknown()),
  retention: z.record(z.string(), z.unknown()),
  payloadSchema: z.record(z.string(), z.unknown()),
  resultSchema: z.record(z.string(), z.unknown()),
});
export type JobTypeInfo = z.output<typeof JobTypeInfo>;
