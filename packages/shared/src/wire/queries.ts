import { z } from 'zod';
import { MAX_TENANT_OFFSET, MAX_TENANT_PAGE } from '../fairness/tenant-report';
import { SEARCH_CURSOR, SEARCH_STATES } from '../search/search-jobs';
import { MAX_QUERY_CHARS } from '../search/search-query';
import { ListableJobState } from './job-states';

/** Longest `?wait=` in seconds: long enough for most jobs, short enough for proxies' idle timeouts. */
export const MAX_WAIT_SECONDS = 30;

/** `?wait=SECONDS`: how long to hold the answer for the job to finish. */
export const WaitQuery = z.strictObject({ wait: z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).default(0) });

/** `GET /v1/jobs/:type` query: which state, how many, from where. */
export const ListQuery = z.strictObject({
  state: ListableJobState.default('failed'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^\d{1,7}(\.\d{1,7}){0,63}$/, "a cursor is the previous page's nextCursor: offsets separated by dots")
    .default('0')
    .describe("the previous page's nextCursor"),
});

/** `GET /v1/jobs/:type?q=` query: a search of the type's jobs. */
export const SearchQuery = z.strictObject({
  q: z.string().max(MAX_QUERY_CHARS * 4).describe('field:value terms, all of which must match: id:<job id>, text:<contains>, url.host:<host>, n:<number>'),
  state: z.enum(SEARCH_STATES).optional().describe('only this state; every state when absent'),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('most matches returned'),
  scan: z.coerce.number().int().min(1).max(5_000).default(1_000).describe('most jobs read by this call: the cost bound (the server also stops at 4 MiB of job data read, or after 2 s)'),
  cursor: z.string().regex(SEARCH_CURSOR).optional().describe("the previous answer's nextCursor"),
});

/** What the list route documents: a listing, or with `q` a search (the handler parses one or the other). */
export const ListOrSearchQuery = ListQuery.extend({ q: SearchQuery.shape.q.optional(), scan: SearchQuery.shape.scan });

/** `GET /v1/queues/:type/tenants` query: how many, from where. */
export const TenantQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_TENANT_PAGE).default(20),
  cursor: z.coerce.number().int().min(0).max(MAX_TENANT_OFFSET).default(0).describe("the previous page's nextCursor"),
});

/** `PUT /v1/schedules/:id`: what to enqueue and when, every N ms or on a cron pattern. */
export const ScheduleBody = z
  .strictObject({
    type: z.string(),
    payload: z.unknown(),
    everyMs: z.number().int().min(1_000).max(366 * 24 * 3_600_000).optional().describe('Every this many milliseconds (at least one second).'),
    cron: z.string().min(1).max(120).optional().describe('A cron pattern (`0 * * * *`), with seconds allowed as a sixth field.'),
    tz: z.string().min(1).max(64).optional().describe('IANA time zone for `cron`; UTC when absent.'),
  })
  .refine((body) => (body.everyMs === undefined) !== (body.cron === undefined), {
    message: 'give exactly one of everyMs and cron',
    path: ['everyMs'],
  });
