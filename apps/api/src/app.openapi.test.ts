import { jobTypes } from '@floodgate/shared/jobs';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import type { Express } from 'express';
import { waitFor } from '@floodgate/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './testing/api-harness';

type Document = { paths: Record<string, Record<string, unknown>>; components: Record<string, unknown> };

/** Every `METHOD /path` the app's routers declare, in OpenAPI's `{param}` form, `:type` expanded per job type. */
function declaredRoutes(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: unknown[]) => {
    for (const layer of stack as Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }>) {
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
        const paths = layer.route.path.includes(':type') ? jobTypes.map((t) => layer.route!.path.replace(':type', t)) : [layer.route.path];
        for (const path of paths) for (const method of methods) routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: unknown[] } }).router.stack);
  return routes;
}

describe('OpenAPI document', () => {
  let api: ApiHarness;
  let doc: Document;
  beforeAll(async () => {
    // Validating the document blocks this process's loop for a while on a busy machine: no shedding here.
    api = await startApi({ bulkMaxJobs: 250, limits: { maxEventLoopDelayMs: 60_000 } });
    doc = (await (await api.request('GET', '/openapi.json')).json()) as Document;
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect((doc as unknown as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('documents every route the routers declare, and nothing they do not', () => {
    const declared = declaredRoutes(api.app)
      // Swagger UI's own files serve the docs page; they are not API.
      .filter((route) => !route.includes('/docs/'));
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(declared.length).toBeGreaterThan(20);
    expect(new Set(documented)).toEqual(new Set(declared));
  });

  it("takes each type's payload schema from the catalog, and the bulk limit from the config", () => {
    const schemas = doc.components.schemas as Record<string, { properties: Record<string, { properties?: unknown; maxItems?: number }> }>;
    expect(schemas.ComputeEnqueue?.properties.payload?.properties).toMatchObject({ n: { type: 'integer' }, m: { type: 'integer' } });
    expect(schemas.SentimentBulkEnqueue?.properties.jobs?.maxItems).toBe(250);
  });

  it('describes the answers the API really gives', async () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addFormat('date-time', true);
    ajv.addSchema({ $id: 'floodgate', components: doc.components });
    const check = (schema: string, body: unknown) => {
      const valid = ajv.validate({ $ref: `floodgate#/components/schemas/${schema}` }, body);
      expect(valid, `${schema}: ${ajv.errorsText()}`).toBe(true);
    };
    // The document check above blocks this process's event loop for seconds, and its guard sheds
    // (503 overloaded, nothing enqueued) until a calm interval: wait for that, as a client would.
    const accepted = await waitFor(
      async () => {
        const res = await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 1, m: 1 }, options: { timeoutMs: 1_000 } } });
        return res.status === 503 ? undefined : res;
      },
      { description: 'the event-loop guard to reopen' },
    );
    const { id } = (await accepted.json()) as { id: string };
    check('Accepted', { id, type: 'compute', state: 'waiting', links: { self: `/v1/jobs/compute/${id}` } });
    check('ComputeJob', await (await api.request('GET', `/v1/jobs/compute/${id}`)).json());
    check('BulkAccepted', await (await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs: [{ payload: { text: 'fine' } }] } })).json());
    check('Error', await (await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 0 } } })).json());
    const queues = (await (await api.request('GET', '/v1/queues')).json()) as { queues: unknown[] };
    for (const queue of queues.queues) check('QueueStatus', queue);
    await api.request('PUT', '/v1/schedules/nightly', { json: { type: 'compute', payload: { n: 1, m: 1 }, cron: '0 3 * * *' } });
    check('Schedule', await (await api.request('GET', '/v1/schedules/nightly')).json());
    check('Cancelled', await (await api.request('DELETE', `/v1/jobs/compute/${id}`)).json());
  });

  it('serves a browsable page whose scripts and styles come from this server', async () => {
    const page = await api.request('GET', '/docs');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset.startsWith('/')).toBe(true);
      expect((await api.request('GET', asset)).status, asset).toBe(200);
    }
    expect(await (await api.request('GET', '/docs/init.js')).text()).toContain("'/openapi.json'");
    expect((await api.request('GET', '/docs/assets/index.html')).status).toBe(404);
  });
});
