import { API_ERROR_CODES, type ApiErrorCode } from '@floodgate/shared/errors';
import { catalog, jobTypes, type JobType } from '@floodgate/shared/jobs';
import { z } from 'zod';
import { ScheduleBody } from '../routes/schedules';
import { bulkBodyOf, singleJobEnvelopes } from '../routes/job-request';
import { schemaOf, type JsonSchema } from './json-schema';

/** `page-extract` → `PageExtract`: component names per job type. */
export function pascalCase(type: string): string {
  return type.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const errorRef = (status: number): JsonSchema => ({ $ref: `#/components/responses/Error${status}` });

const JOB_STATES = ['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed', 'waiting-children', 'unknown'];
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
const isoTime = nullable({ type: 'string', format: 'date-time' });
const links = { type: 'object', properties: { self: { type: 'string' } }, required: ['self'] };

/** Schemas that do not depend on the job type. */
function commonSchemas(): Record<string, JsonSchema> {
  return {
    Error: {
      type: 'object',
      description: 'Every error answer. `code` is stable; `message` is for people.',
      properties: {
        error: {
          type: 'object',
          properties: {
            code: { type: 'string', enum: Object.keys(API_ERROR_CODES) },
            message: { type: 'string' },
            details: { description: 'Code-specific: `issues` for validation errors, `backlog` and `cap` for queue_full, ...' },
          },
          required: ['code', 'message'],
        },
      },
      required: ['error'],
    },
    Accepted: {
      type: 'object',
      description: 'A job was enqueued; read it back at `links.self`.',
      properties: {
        id: { type: 'string' },
        type: { type: 'string', enum: jobTypes },
        state: { type: 'string', enum: ['waiting', 'delayed', 'prioritized'] },
        links,
      },
      required: ['id', 'type', 'state', 'links'],
    },
    BulkAccepted: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: jobTypes },
        count: { type: 'integer' },
        jobs: {
          type: 'array',
          description: 'One entry per job sent, in the same order.',
          items: {
            type: 'object',
            properties: { id: { type: 'string' }, state: { type: 'string' }, links },
            required: ['id', 'state', 'links'],
          },
        },
      },
      required: ['type', 'count', 'jobs'],
    },
    Cancelled: {
      type: 'object',
      description: '`removed`: the job was waiting or delayed and is gone. `cancelling`: it is running; its handler is aborted and it ends failed with `cancelled`.',
      properties: { id: { type: 'string' }, type: { type: 'string' }, state: { type: 'string', enum: ['removed', 'cancelling'] }, links },
      required: ['id', 'type', 'state'],
    },
    Retried: {
      type: 'object',
      description: 'The state the job is in right after the retry: waiting, prioritized, or already active.',
      properties: { id: { type: 'string' }, type: { type: 'string' }, state: { type: 'string' }, links },
      required: ['id', 'type', 'state'],
    },
    QueueStatus: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: jobTypes },
        paused: { type: 'boolean' },
        counts: { type: 'object', additionalProperties: { type: 'integer' } },
        workers: { type: 'array', items: { type: 'string' }, description: 'Ids of the live worker processes running this type.' },
      },
      required: ['type', 'paused', 'counts', 'workers'],
    },
    QueuePaused: {
      type: 'object',
      properties: { type: { type: 'string', enum: jobTypes }, paused: { type: 'boolean' } },
      required: ['type', 'paused'],
    },
    WorkerHeartbeat: {
      type: 'object',
      description: 'One live worker process, from the heartbeat it writes to Redis every few seconds.',
      additionalProperties: true,
      properties: { id: { type: 'string' }, host: { type: 'string' }, pid: { type: 'integer' } },
    },
    ScheduleBody: schemaOf(ScheduleBody),
    Schedule: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        type: { type: 'string', enum: jobTypes },
        everyMs: nullable({ type: 'integer' }),
        cron: nullable({ type: 'string' }),
        tz: nullable({ type: 'string' }),
        next: isoTime,
        iterations: { type: 'integer' },
        payload: {},
      },
      required: ['id', 'type'],
    },
    JobType: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        description: { type: 'string' },
        concurrency: { type: 'integer' },
        cpuBound: { type: 'boolean' },
        timeoutMs: { type: 'integer' },
        attempts: { type: 'integer' },
        backoff: { type: 'object' },
        retention: { type: 'object' },
        payloadSchema: { type: 'object' },
        resultSchema: { type: 'object' },
      },
      required: ['type', 'description', 'payloadSchema', 'resultSchema'],
    },
  };
}

/** Per job type: what is sent (single and bulk) and the job as it is read back, from the catalog's schemas. */
function typeSchemas(type: JobType, bulkMaxJobs: number): Record<string, JsonSchema> {
  const name = pascalCase(type);
  return {
    [`${name}Enqueue`]: schemaOf(singleJobEnvelopes.get(type) as z.ZodType),
    [`${name}BulkEnqueue`]: schemaOf(bulkBodyOf(type, bulkMaxJobs)),
    [`${name}Result`]: schemaOf(catalog[type].result, 'output'),
    [`${name}Job`]: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        type: { type: 'string', const: type },
        state: { type: 'string', enum: JOB_STATES },
        progress: { description: 'What the handler last reported: a number or an object.' },
        attempts: { type: 'integer', description: 'Attempts made so far.' },
        result: nullable(ref(`${name}Result`)),
        error: nullable({ type: 'string', description: 'The last failure, starting with its stable code (`job_timeout: ...`).' }),
        createdAt: isoTime,
        startedAt: isoTime,
        finishedAt: isoTime,
        processedBy: nullable({ type: 'string', description: '`host:pid` of the worker process.' }),
      },
      required: ['id', 'type', 'state', 'attempts', 'result', 'error'],
    },
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
