import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ERROR_CODES, type ApiErrorCode } from '@floodgate/shared/errors';
import { routes, type RouteSpec } from '@floodgate/shared/wire';
import { ApiEnv } from '../env';
import { CLIENT_WIRE_PATH, clientWireTypes } from './client-types';
import { buildOpenApiDocument } from './document';

/**
 * The documentation that derives from code, written by `npm run docs:generate`
 * (generate-docs.ts) and checked for drift by generated-docs.test.ts: the
 * committed OpenAPI document and the tables between `<!-- generated:NAME -->`
 * and `<!-- /generated:NAME -->` in the docs. Paths are from the repo root.
 */
export interface GeneratedFile {
  path: string;
  /** The file as it should be, given what it holds now (only the marked blocks change). */
  render(current: string | undefined): string;
}

export const REGENERATE = 'npm run docs:generate';

/** The repository's root, from src/openapi or dist/openapi. */
export const repoRoot = join(__dirname, '..', '..', '..', '..');

/** The API's document with the defaults a deployment starts from (version from the API's package.json). */
export function openApiDocument(): Record<string, unknown> {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return buildOpenApiDocument({ version, bulkMaxJobs: ApiEnv.shape.API_BULK_MAX_JOBS.parse(undefined) });
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Every code of the registry, by status (registry order within one): status, code, when. */
export function errorTable(): string {
  const rows = (Object.entries(API_ERROR_CODES) as Array<[ApiErrorCode, { status: number; when: string }]>)
    .map(([code, { status, when }], index) => ({ code, status, when, index }))
    .sort((a, b) => a.status - b.status || a.index - b.index);
  return [
    '<!-- From packages/shared/src/errors/api-error-codes.ts: edit the descriptions there, then run npm run docs:generate. -->',
    '| status | `code` | when |',
    '|---|---|---|',
    ...rows.map(({ code, status, when }) => `| ${status} | \`${code}\` | ${cell(when)} |`),
  ].join('\n');
}

const SCOPE_CELLS = { open: 'open', read: '`jobs:read`', write: '`jobs:write:<type>`', admin: '`admin`' } as const;

/** Every route of the route table: method, path, the scope it needs, summary. */
export function routeTable(): string {
  const table: RouteSpec[] = Object.values(routes);
  return [
    '<!-- From the route table (packages/shared/src/wire/routes.ts): run npm run docs:generate after changing it. -->',
    '| method | path | scope | what it does |',
    '|---|---|---|---|',
    ...table.map(({ method, path, scope, summary }) => `| ${method} | \`${path}\` | ${SCOPE_CELLS[scope]} | ${cell(summary.replaceAll('{type}', '`:type`'))} |`),
  ].join('\n');
}

/** `text` with the block between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` set to `body`. */
export function withBlock(text: string, file: string, name: string, body: string): string {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} block: add the two markers where the table goes, then run ${REGENERATE}`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

/**
 * The table of the latest full `npm run bench` (packages/bench/results/latest.md,
 * committed with each full run), with its ratio and machine lines: the bench
 * page shows that run and no other.
 */
export function benchTable(latest: string): string {
  const lines = latest.split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const table = lines.slice(first, lines.findIndex((line, index) => index > first && !line.startsWith('|')));
  return [
    '<!-- From packages/bench/results/latest.md (the last full npm run bench): run npm run docs:generate after a full run. -->',
    ...table,
    '',
    ...lines.filter((line) => line.startsWith('Ratio:') || line.startsWith('Machine:')).flatMap((line) => [line, '']),
  ]
    .join('\n')
    .trimEnd();
}

export function generatedFiles(): GeneratedFile[] {
  const document = openApiDocument();
  return [
    { path: 'openapi.json', render: () => `${JSON.stringify(document, null, 2)}\n` },
    { path: CLIENT_WIRE_PATH, render: clientWireTypes },
    {
      path: 'docs/api.md',
      render: (current) => {
        if (current === undefined) throw new Error(`docs/api.md is missing: it holds the route and error tables ${REGENERATE} fills in`);
        return withBlock(withBlock(current, 'docs/api.md', 'routes', routeTable()), 'docs/api.md', 'errors', errorTable());
      },
    },
    {
      path: 'docs/benchmarks.md',
      render: (current) => {
        if (current === undefined) throw new Error(`docs/benchmarks.md is missing: it holds the bench table ${REGENERATE} fills in`);
        return withBlock(current, 'docs/benchmarks.md', 'bench', benchTable(readFileSync(join(repoRoot, 'packages', 'bench', 'results', 'latest.md'), 'utf8')));
      },
    },
  ];
}
