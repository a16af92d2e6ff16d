import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { jobTypes } from '@floodgate/shared/jobs';
import { routes, type RouteSpec } from '@floodgate/shared/wire';
import { describe, expect } from 'vitest';
import { apiTest as test } from '../testing/api-test';
import { buildOpenApiDocument } from '../openapi/document';

const table: RouteSpec[] = Object.values(routes);
const sourceRoot = join(__dirname, '..');

/** A call to express's routing with a path: `.get('/…'`, `.route('/…'`, `app.use('/v1…'`. */
const EXPRESS_ROUTE = /\.(get|post|put|delete|patch|all|route|use)\(\s*['"`]\//;
/** The docs page's static files (not API routes); routes/mount-routes.ts mounts the table's paths from the table. */
const STATIC_FILES = 'routes/docs.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** A path of the table with each parameter filled in. */
const concrete = (path: string) => path.replace(':type', 'compute').replace(':tenant', 'key%3Aabc').replace(/:\w+/g, 'x1');

describe('the route table', () => {
  test('is the only place the API declares a route', () => {
    const declaring = sources(sourceRoot)
      .filter((file) => EXPRESS_ROUTE.test(readFileSync(file, 'utf8')))
      .map((file) => relative(sourceRoot, file));
    expect(declaring).toEqual([STATIC_FILES]);
    const staticPaths = [...readFileSync(join(sourceRoot, STATIC_FILES), 'utf8').matchAll(/\.(?:get|use|route|all)\(\s*['"`]([^'"`]+)/g)].map((m) => m[1]);
    expect(staticPaths.length).toBeGreaterThan(0);
    for (const path of staticPaths) expect(path).toMatch(/^\/docs\//);
  });

  test('gives every route one OpenAPI operation (per job type under :type), and nothing else', () => {
    const document = buildOpenApiDocument({ version: '0.0.0', bulkMaxJobs: 10 }) as { paths: Record<string, Record<string, { operationId: string }>> };
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    const declared = table.flatMap((route) =>
      (route.path.includes(':type') ? jobTypes.map((type) => route.path.replace(':type', type)) : [route.path]).map(
        (path) => `${route.method} ${path.replace(/:(\w+)/g, '{$1}')}`,
      ),
    );
    expect(documented.sort()).toEqual(declared.sort());
  });

  test('is what the API serves: each path answers a method it lacks 405, naming the methods of its routes', async ({ api }) => {
    const paths = [...new Set(table.map((route) => route.path))];
    for (const path of paths) {
      const res = await api.request('PATCH', concrete(path));
      expect(res.status, path).toBe(405);
      const methods = table.filter((route) => route.path === path).map((route) => route.method);
      expect(new Set(res.headers.get('allow')?.split(', ')), path).toEqual(new Set(methods));
    }
  });
});
