import { catalog, jobTypes, type JobType } from '@floodgate/shared/jobs';
import { routes, type RouteSpec, type WireSchema } from '@floodgate/shared/wire';
import { componentRefOf, errorRef, errorResponses, pascalCase, schemaComponents } from './components';
import { queryParameters } from './json-schema';

export interface OpenApiOptions {
  /** The API's version, shown in the document's `info`. */
  version: string;
  /** Most jobs one bulk request may carry (API_BULK_MAX_JOBS), so the bulk schemas say the truth. */
  bulkMaxJobs: number;
}

type Operation = Record<string, unknown>;
type PathItem = Record<string, Operation>;

/** The scope a route's security names, as the API checks it (auth/required-scope.ts). */
const SCOPE_NAMES = { read: 'jobs:read', write: 'jobs:write:<type>', admin: 'admin' } as const;

/** `{type}`, `{Type}` and `{about}` filled in for one job type. */
function forType(text: string, type: JobType | undefined): string {
  if (!type) return text;
  return text.replaceAll('{Type}', pascalCase(type)).replaceAll('{type}', type).replaceAll('{about}', catalog[type].description);
}

/** One route's operation, for one job type when its path has `:type`. */
function operationOf(route: RouteSpec, type: JobType | undefined): Operation {
  const schema = (wire: WireSchema) => componentRefOf(wire, type);
  const parameters = [
    ...Object.entries(route.params ?? {}).map(([name, description]) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description })),
    ...(route.query ? queryParameters(route.query) : []),
    ...(route.headers ?? []).map(({ name, pattern, description }) => ({ name, in: 'header', required: false, schema: { type: 'string', pattern }, ...(description ? { description } : {}) })),
  ];
  const scope = route.scope === 'open' ? undefined : SCOPE_NAMES[route.scope].replace('<type>', type ?? '<type>');
  const description = [route.description && forType(route.description, type), scope && `Needs an API key with the \`${scope}\` scope${scope === 'admin' ? '' : ' (or `admin`)'}.`].filter(Boolean).join('\n\n');
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, { description: said, body, media }]) => [
      status,
      { description: said, content: { [media ?? 'application/json']: { schema: body ? schema(body) : { type: 'string' } } } },
    ]),
  );
  const errors = [...route.errors, ...(scope ? [401, 403] : [])];
  return {
    tags: [route.tag === 'jobs' && type ? `jobs: ${type}` : route.tag],
    operationId: forType(route.operationId, type),
    summary: forType(route.summary, type),
    ...(description ? { description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(route.body) } } } } : {}),
    responses: { ...responses, ...Object.fromEntries(errors.map((status) => [String(status), errorRef(status)])) },
    ...(scope ? {} : { security: [] }),
  };
}

/** Every route of the table as OpenAPI paths: a `:type` route once per job type, type by type, then the others. */
function paths(): Record<string, PathItem> {
  const all: Record<string, PathItem> = {};
  const add = (route: RouteSpec, type: JobType | undefined) => {
    const path = route.path.replace(':type', type ?? ':type').replace(/:(\w+)/g, '{$1}');
    all[path] = { ...all[path], [route.method.toLowerCase()]: operationOf(route, type) };
  };
  const table: RouteSpec[] = Object.values(routes);
  for (const type of jobTypes) for (const route of table.filter((r) => r.path.includes(':type'))) add(route, type);
  for (const route of table.filter((r) => !r.path.includes(':type'))) add(route, undefined);
  return all;
}

/**
 * The OpenAPI 3.1 document of the API, generated from the route table and the
 * job catalog: adding a route or a job type adds its paths and schemas here
 * without a line written for it.
 */
export function buildOpenApiDocument(options: OpenApiOptions): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'floodgate',
      version: options.version,
      description:
        'Enqueue jobs, wait for their results, and watch, cancel and retry them. Every error answers `{"error":{"code","message","details"}}` with a stable `code`.',
    },
    servers: [{ url: '/' }],
    tags: [
      ...jobTypes.map((type) => ({ name: `jobs: ${type}`, description: catalog[type].description })),
      { name: 'queues' },
      { name: 'tenants', description: 'Fair shares inside a job type: who waits, who runs, and pausing one tenant.' },
      { name: 'schedules' },
      { name: 'catalog' },
      { name: 'operations' },
    ],
    paths: paths(),
    components: {
      schemas: schemaComponents(options.bulkMaxJobs),
      responses: errorResponses(),
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `npm run keys:create` (also accepted as `X-API-Key`).' } },
    },
    security: [{ apiKey: [] }],
  };
}
