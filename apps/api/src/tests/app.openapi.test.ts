import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, test as base } from 'vitest';
import { startApi, type ApiHarness } from '../testing/api-harness';

type Document = { paths: Record<string, Record<string, unknown>>; components: Record<string, unknown> };

/** The document as an API serves it; no shedding here, as validating it blocks this process's loop for a while on a busy machine. */
const test = base.extend<{ api: ApiHarness; doc: Document }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    const api = await startApi({ bulkMaxJobs: 250, limits: { maxEventLoopDelayMs: 60_000 } });
    await use(api);
    await api.stop();
  },
  doc: async ({ api }, use) => {
    await use((await (await api.request('GET', '/openapi.json')).json()) as Document);
  },
});

describe('OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document', async ({ doc }) => {
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect((doc as unknown as { openapi: string }).openapi).toBe('3.1.0');
  });

  test("takes each type's payload schema from the catalog, and the bulk limit from the config", ({ doc }) => {
    const schemas = doc.components.schemas as Record<string, { properties: Record<string, { properties?: unknown; maxItems?: number }> }>;
    expect(schemas.ComputeEnqueue?.properties.payload?.properties).toMatchObject({ n: { type: 'integer' }, m: { type: 'integer' } });
    expect(schemas.SentimentBulkEnqueue?.properties.jobs?.maxItems).toBe(250);
  });

  test('describes the answers the API really gives', async ({ api, doc }) => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addFormat('date-time', true);
    ajv.addSchema({ $id: 'floodgate', components: doc.components });
    const check = (schema: string, body: unknown) => {
      const valid = ajv.validate({ $ref: `floodgate#/components/schemas/${schema}` }, body);
      expect(valid, `${schema}: ${ajv.errorsText()}`).toBe(true);
    };
    const accepted = await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 1, m: 1 }, options: { timeoutMs: 1_000 } } });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    check('Accepted', { id, type: 'compute', state: 'waiting', links: { self: `/v1/jobs/compute/${id}` } });
    check('ComputeJob', await (await api.request('GET', `/v1/jobs/compute/${id}`)).json());
    check('BulkAccepted', await (await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs: [{ payload: { text: 'fine' } }] } })).json());
    check('Error', await (await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 0 } } })).json());
    const queues = (await (await api.request('GET', '/v1/queues')).json()) as { queues: unknown[] };
    for (const queue of queues.queues) check('QueueStatus', queue);
    const put = await api.request('PUT', '/v1/schedules/nightly', { json: { type: 'compute', payload: { n: 1, m: 1 }, cron: '0 3 * * *' } });
    expect(put.status).toBe(200);
    check('Schedule', await put.json());
    check('Schedule', await (await api.request('GET', '/v1/schedules/nightly')).json());
    check('Cancelled', await (await api.request('DELETE', `/v1/jobs/compute/${id}`)).json());
  });

  test('serves a browsable page whose scripts and styles come from this server', async ({ api }) => {
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
