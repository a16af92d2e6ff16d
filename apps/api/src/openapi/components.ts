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
  ScheduleBody,
  singleJobEnvelopeOf,
  type WireSchema,
} from '@floodgate/shared/wire';
import { WorkerHeartbeat } from '@floodgate/shared/workers';
import type { z } from 'zod';
import { schemaOf, type JsonSchema } from './json-schema';

/** `page-extract` → `PageExtract`: component names per job type. */
export function pascalCase(type: string): string {
  return type.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const errorRef = (status: number): JsonSchema => ({ $ref: `#/components/responses/Error${status}` });

/** The wire schemas that are components of their own, by name; what a request sends is `input`, the rest `output`. */
const COMMON: ReadonlyArray<[string, z.ZodType, 'input' | 'output']> = [
  ['Accepted', Accepted, 'output'],
  ['BulkAccepted', BulkAccepted, 'output'],
  ['Cancelled', Cancelled, 'output'],
  ['Retried', Retried, 'output'],
  ['QueueStatus', QueueStatus, 'output'],
  ['QueuePaused', QueuePaused, 'output'],
  ['TenantPage', TenantPage, 'output'],
  ['TenantPaused', TenantPaused, 'output'],
  ['WorkerHeartbeat', WorkerHeartbeat, 'output'],
  ['ScheduleBody', ScheduleBody, 'input'],
  ['Schedule', Schedule, 'output'],
  ['JobType', JobTypeInfo, 'output'],
];

/** The per-type components, by the function that makes each type's schema. */
const PER_TYPE = new Map<unknown, (name: string) => string>([
  [jobViewOf, (name) => `${name}Job`],
  [singleJobEnvelopeOf, (name) => `${name}Enqueue`],
  [bulkBodyOf, (name) => `${name}BulkEnqueue`],
]);

/**
 * A route's schema in the document: a `$ref` when it is a component (for a
 * per-type one, the given type's), else inline, with every part of it that is
 * a component (a queue's status inside the list of queues) as a `$ref`.
 */
export function componentRefOf(schema: WireSchema, type: JobType | undefined): JsonSchema {
  if (typeof schema === 'function') {
    if (!type) throw new Error('a per-type schema on a route without :type');
    const name = PER_TYPE.get(schema)?.(pascalCase(type));
    if (name) return ref(name);
    return withRefs(schemaOf(schema(type), 'output'), type);
  }
  const common = COMMON.find(([, candidate]) => candidate === schema);
  if (common) return ref(common[0]);
  return withRefs(schemaOf(schema, 'output'), type);
}

let commonByJson: Map<string, string> | undefined;

/** `schema` with each subtree that equals a component's schema replaced by a `$ref` to it. */
function withRefs(schema: JsonSchema, type: JobType | undefined): JsonSchema {
  commonByJson ??= new Map(COMMON.map(([name, zod, io]) => [JSON.stringify(schemaOf(zod, io)), name]));
  const known = new Map(commonByJson);
  if (type) known.set(JSON.stringify(schemaOf(jobViewOf(type), 'output')), `${pascalCase(type)}Job`);
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const name = known.get(JSON.stringify(node));
    if (name) return ref(name);
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value)]));
  };
  return walk(schema) as JsonSchema;
}

/** What the document says of some components beyond their fields. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  Accepted: 'A job was enqueued; read it back at `links.self`.',
  Cancelled:
    '`removed`: the job was waiting or delayed and is gone. `cancelling`: it is running and `receivers` worker processes received the cancel; the one running it aborts its handler and it ends failed with `cancelled`.',
  Retried: 'The state the job is in right after the retry: waiting, prioritized, or already active.',
  WorkerHeartbeat: 'One live worker process, from the heartbeat it writes to Redis every few seconds.',
};

/**
 * Schemas that do not depend on the job type, each generated from its wire
 * schema in `@floodgate/shared/wire` (the API answers with the same ones).
 */
function commonSchemas(): Record<string, JsonSchema> {
  return {
    Error: schemaOf(ErrorBody, 'output'),
    ...Object.fromEntries(
      COMMON.map(([name, zod, io]) => {
        const description = DESCRIPTIONS[name];
        return [name, description ? described(schemaOf(zod, io), description) : schemaOf(zod, io)];
      }),
    ),
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
