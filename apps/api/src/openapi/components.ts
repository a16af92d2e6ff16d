import { API_ERROR_CODES, type ApiErrorCode } from '@floodgate/shared/errors';
import { catalog, jobTypes, type JobType } from '@floodgate/shared/jobs';
import {
  Accepted,
  BulkAccepted,
  bulkBodyOf,
  Cancelled,
  ErrorBody,
  jobViewOf,
  JobTypeInfo,
  QueuePaused,
  QueueStatus,
  TenantPage,
  TenantPaused,
  Retried,
  Schedule,
  singleJobEnvelopeOf,
} from '@floodgate/shared/wire';
import { WorkerHeartbeat } from '@floodgate/shared/workers';
import { ScheduleBody } from '../routes/schedules';
import { schemaOf, type JsonSchema } from './json-schema';

/** `page-extract` → `PageExtract`: component names per job type. */
export function pascalCase(type: string): string {
  return type.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const errorRef = (status: number): JsonSchema => ({ $ref: `#/components/responses/Error${status}` });

/**
 * Schemas that do not depend on the job type, each generated from its wire
 * schema in `@floodgate/shared/wire` (the API answers with the same ones).
 */
function commonSchemas(): Record<string, JsonSchema> {
  return {
    Error: schemaOf(ErrorBody, 'output'),
    Accepted: described(schemaOf(Accepted, 'output'), 'A job was enqueued; read it back at `links.self`.'),
    BulkAccepted: schemaOf(BulkAccepted, 'output'),
    Cancelled: described(
      schemaOf(Cancelled, 'output'),
      '`removed`: the job was waiting or delayed and is gone. `cancelling`: it is running and `receivers` worker processes received the cancel; the one running it aborts its handler and it ends failed with `cancelled`.',
    ),
    Retried: described(schemaOf(Retried, 'output'), 'The state the job is in right after the retry: waiting, prioritized, or already active.'),
    QueueStatus: schemaOf(QueueStatus, 'output'),
    QueuePaused: schemaOf(QueuePaused, 'output'),
    TenantPage: schemaOf(TenantPage, 'output'),
    TenantPaused: schemaOf(TenantPaused, 'output'),
    WorkerHeartbeat: described(schemaOf(WorkerHeartbeat, 'output'), 'One live worker process, from the heartbeat it writes to Redis every few seconds.'),
    ScheduleBody: schemaOf(ScheduleBody),
    Schedule: schemaOf(Schedule, 'output'),
    JobType: schemaOf(JobTypeInfo, 'output'),
  };
}

function described(schema: JsonSchema, description: string): JsonSchema {
  return { description, ...schema };
}

/** Per job type: what is sent (single and bulk) and the job as it is read back, from the wire schemas. */
function typeSchemas(type: JobType, bulkMaxJobs: number): Record<string, JsonSchema> {
  const name = pascalCase(type);
  return {
    [`${name}Enqueue`]: schemaOf(singleJobEnvelopeOf(type)),
    [`${name}BulkEnqueue`]: schemaOf(bulkBodyOf(type, bulkMaxJobs)),
    [`${name}Result`]: schemaOf(catalog[type].result, 'output'),
    [`${name}Job`]: schemaOf(jobViewOf(type), 'output'),
  };
}

export function schemaComponents(bulkMaxJobs: number): Record<string, JsonSchema> {
  return Object.assign(commonSchemas(), ...jobTypes.map((type) => typeSchemas(type, bulkMaxJobs)));
}

/** One reusable error response per status, listing the codes it can carry. */
export function errorResponses(): Record<string, JsonSchema> {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const [code, { status }] of Object.entries(API_ERROR_CODES) as Array<[ApiErrorCode, { status: number }]>) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      `Error${status}`,
      {
        description: codes.map((code) => `\`${code}\`: ${API_ERROR_CODES[code].when}`).join('; '),
        content: { 'application/json': { schema: ref('Error') } },
      },
    ]),
  );
}
