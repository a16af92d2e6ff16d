import {
  Accepted,
  Backoff,
  BulkAccepted,
  BulkItemFailed,
  BulkItemStored,
  Cancelled,
  EnqueueOptions,
  ErrorBody,
  JobLinks,
  jobPageOf,
  JobState,
  JobTypeInfo,
  JobTypeName,
  JobView,
  ListableJobState,
  NewJobState,
  OutcomeUnknownDetails,
  QueuePaused,
  QueueStatus,
  Retried,
  routes,
  Schedule,
  ScheduleBody,
  ScheduleRemoved,
  singleJobEnvelopeOf,
  TenantPage,
  TenantPaused,
  TenantStatus,
  type RouteSpec,
  type WireSchema,
} from '@floodgate/shared/wire';
import { ProxyStatus } from '@floodgate/shared/proxies';
import { WorkerHeartbeat } from '@floodgate/shared/workers';
import type { z } from 'zod';
import { schemaOf } from './json-schema';
import { docLines, identityOf, tsBodyOf, tsTypeOf } from './ts-type';

/** Where the client's wire types are written, from the repository's root. */
export const CLIENT_WIRE_PATH = 'packages/client/src/wire.generated.ts';

type Io = 'input' | 'output';

/**
 * The wire shapes the client's types are made of, by the name they get there.
 * A per-type schema is taken in its any-type form: the client is typed by its
 * user's own catalog, not this repository's.
 */
const NAMED: ReadonlyArray<[string, z.ZodType, Io]> = [
  ['JobState', JobState, 'output'],
  ['ListableJobState', ListableJobState, 'output'],
  ['NewJobState', NewJobState, 'output'],
  ['JobLinks', JobLinks, 'output'],
  ['ErrorCode', ErrorBody.shape.error.shape.code, 'output'],
  ['ApiError', ErrorBody.shape.error, 'output'],
  ['Accepted', Accepted, 'output'],
  ['BulkItemStored', BulkItemStored, 'output'],
  ['BulkItemFailed', BulkItemFailed, 'output'],
  ['BulkAccepted', BulkAccepted, 'output'],
  ['OutcomeUnknownDetails', OutcomeUnknownDetails, 'output'],
  ['Cancelled', Cancelled, 'output'],
  ['Retried', Retried, 'output'],
  ['JobView', JobView, 'output'],
  ['JobPage', jobPageOf.anyType, 'output'],
  ['QueueStatus', QueueStatus, 'output'],
  ['QueuePaused', QueuePaused, 'output'],
  ['TenantStatus', TenantStatus, 'output'],
  ['TenantPage', TenantPage, 'output'],
  ['TenantPaused', TenantPaused, 'output'],
  ['Schedule', Schedule, 'output'],
  ['ScheduleRemoved', ScheduleRemoved, 'output'],
  ['JobTypeInfo', JobTypeInfo, 'output'],
  ['WorkerHeartbeat', WorkerHeartbeat, 'output'],
  ['ProxyStatus', ProxyStatus, 'output'],
  ['Backoff', Backoff, 'input'],
  ['EnqueueOptions', EnqueueOptions, 'input'],
  ['SingleJobEnvelope', singleJobEnvelopeOf.anyType, 'input'],
  ['ScheduleBody', ScheduleBody, 'input'],
];

const anyTypeOf = (schema: WireSchema): z.ZodType => (typeof schema === 'function' ? schema.anyType : schema);

/** One `interface NAME { route: { ... } }` over the routes that have a `part`, written by `entry`. */
function byRoute(name: string, doc: string, entry: (route: RouteSpec) => string | undefined): string[] {
  const entries = (Object.entries(routes) as Array<[string, RouteSpec]>).flatMap(([route, spec]) => {
    const type = entry(spec);
    return type === undefined ? [] : [`  /** ${spec.method} ${spec.path} */`, `  ${route}: ${type};`];
  });
  return [`/** ${doc} */`, `export interface ${name} {`, ...entries, '}'];
}

/**
 * `packages/client/src/wire.generated.ts`: every shape the API sends or takes,
 * as TypeScript, from the route table and its wire schemas. `npm run
 * docs:generate` writes it and generated-docs.test.ts fails when it is stale,
 * so a route added to the table is in the client's types with no line written.
 */
export function clientWireTypes(): string {
  // A job type's name is the user's own: a string, not this repository's list.
  const names = new Map<string, string>([[identityOf(schemaOf(JobTypeName, 'output')), 'string']]);
  const declared: string[] = [];
  for (const [name, zod, io] of NAMED) {
    const json = schemaOf(zod, io);
    const body = tsBodyOf(json, names);
    declared.push(
      '',
      ...docLines(json.description, ''),
      body.startsWith('{') ? `export interface ${name} ${body}` : `export type ${name} = ${body};`,
    );
    names.set(identityOf(json), name);
  }
  const typeOf = (schema: WireSchema | undefined, io: Io, indent = '  ') => (schema ? tsTypeOf(schemaOf(anyTypeOf(schema), io), names, indent) : undefined);
  const answers = byRoute('Answers', 'What each route answers, by status (its JSON answers only).', (route) => {
    const statuses = Object.entries(route.responses).flatMap(([status, { body }]) => (body ? [`    ${status}: ${typeOf(body, 'output', '    ')};`] : []));
    return statuses.length ? `{\n${statuses.join('\n')}\n  }` : undefined;
  });
  const queries = byRoute('Queries', "Each route's query, as sent (every field optional where the API has a default).", (route) => typeOf(route.query, 'input'));
  const bodies = byRoute('Bodies', "Each route's JSON body, as sent.", (route) => typeOf(route.body, 'input'));
  return [
    '// Generated from the API route table (packages/shared/src/wire/routes.ts) by `npm run docs:generate`: do not edit.',
    ...declared,
    '',
    ...answers,
    '',
    ...queries,
    '',
    ...bodies,
    '',
  ].join('\n');
}
