import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ERROR_CODES, type ApiErrorCode } from '@floodgate/shared/errors';
import { jobTypes } from '@floodgate/shared/jobs';
import { requiredScope } from '../auth/required-scope';
import { ApiEnv } from '../env';
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

type Operation = { summary?: string };

/**
 * Every route of the OpenAPI document, the paths of each job type folded into
 * one `:type` row: method, path, the scope `requiredScope` asks of it, summary.
 */
export function routeTable(document: Record<string, unknown> = openApiDocument()): string {
  const rows = new Map<string, { method: string; path: string; scope: string; summary: string }>();
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Operation>>)) {
    const segments = path.split('/');
    const type = jobTypes.find((candidate) => segments.includes(candidate));
    const generic = segments.map((segment) => (segment === type ? ':type' : segment.replace(/^\{(\w+)\}$/, ':$1'))).join('/');
    for (const [method, operation] of Object.entries(item)) {
      const concrete = path.replace(/\{[^}]+\}/g, 'x');
      const scope = requiredScope(method.toUpperCase(), concrete);
      const summary = operation.summary ?? '';
      const row = {
        method: method.toUpperCase(),
        path: generic,
        scope: scope === 'open' ? 'open' : `\`${type ? scope.replace(new RegExp(`:${type}$`), ':<type>') : scope}\``,
        summary: type ? summary.replace(new RegExp(`(?<![\\w-])${type}(?![\\w-])`, 'g'), '`:type`') : summary,
      };
      const key = `${row.method} ${row.path}`;
      const seen = rows.get(key);
      if (seen && (seen.summary !== row.summary || seen.scope !== row.scope)) {
        throw new Error(`${key} differs between job types ("${seen.summary}" vs "${row.summary}"): the route table folds them into one row`);
      }
      rows.set(key, row);
    }
  }
  return [
    '<!-- From the OpenAPI document (apps/api/src/openapi/document.ts) and auth/required-scope.ts: run npm run docs:generate after changing them. -->',
    '| method | path | scope | what it does |',
    '|---|---|---|---|',
    ...[...rows.values()].map(({ method, path, scope, summary }) => `| ${method} | \`${path}\` | ${scope} | ${cell(summary)} |`),
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
    {
      path: 'docs/api.md',
      render: (current) => {
        if (current === undefined) throw new Error(`docs/api.md is missing: it holds the route and error tables ${REGENERATE} fills in`);
        return withBlock(withBlock(current, 'docs/api.md', 'routes', routeTable(document)), 'docs/api.md', 'errors', errorTable());
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
