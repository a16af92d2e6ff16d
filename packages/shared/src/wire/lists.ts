import { z } from 'zod';
import type { JobType } from '../jobs/catalog';
import { ProxyStatus } from '../proxies/proxy-state';
import { WorkerHeartbeat } from '../workers/heartbeat';
import { JobView, jobViewOf } from './job-view';
import { perType } from './per-type';
import { JobTypeInfo, QueueStatus, Schedule } from './operations';

/** `GET /v1/jobs/:type`: a page of one type's jobs, listed or searched. */
export const jobPageOf = perType((type: JobType) => jobPageWith(jobViewOf(type)), jobPageWith(JobView));

function jobPageWith<V extends z.ZodType>(view: V) {
  return z.strictObject({
    jobs: z.array(view),
    nextCursor: z.string().nullable(),
    scanned: z.number().int().min(0).optional(),
    bytesRead: z.number().int().min(0).optional().describe('Search only: bytes of job data read (payloads scanned, matches in full).'),
    stoppedBy: z
      .enum(['end', 'limit', 'scan', 'bytes', 'time'])
      .optional()
      .describe(
        "Search only: `end`, every job was read (`nextCursor` is null); `limit`, `scan`, your bounds were reached; `bytes`, `time`, the server's (4 MiB of job data, 2 s) were, before `scan` jobs were read: go on with `nextCursor`.",
      ),
  });
}

/** `GET /v1/job-types`. */
export const JobTypeList = z.strictObject({ types: z.array(JobTypeInfo) });
/** `GET /v1/queues`. */
export const QueueList = z.strictObject({ queues: z.array(QueueStatus) });
/** `GET /v1/workers`. */
export const WorkerList = z.strictObject({ workers: z.array(WorkerHeartbeat) });
/** `GET /v1/proxies`, sorted by host:port. */
export const ProxyList = z.strictObject({ proxies: z.array(ProxyStatus) });
/** `GET /v1/schedules`. */
export const ScheduleList = z.strictObject({ schedules: z.array(Schedule) });
/** `DELETE /v1/schedules/:id`. */
export const ScheduleRemoved = z.strictObject({ id: z.string(), removed: z.literal(true) });
/** `GET /healthz`. */
export const Health = z.strictObject({ status: z.literal('ok') });
/** `GET /readyz`. */
export const Ready = z.strictObject({ status: z.literal('ready') });
