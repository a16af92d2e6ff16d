import { parseProxyList, ProxyStateStore } from '@floodgate/shared/proxies';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect } from 'vitest';
import { apiTest as test } from '../testing/api-test';

type Body = { proxies: Array<Record<string, unknown>> };

describe('GET /v1/proxies', () => {
  const [cooling, healthy] = parseProxyList('http://ops:pw-hidden-4242@10.2.0.1:3128,http://10.2.0.2:3128', 'test');

  test('is empty while no worker has used a proxy', async ({ api }) => {
    const res = await api.request('GET', '/v1/proxies');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ proxies: [] });
  });

  test('lists each proxy the workers use, with its state, counts, last error and cool-down, credentials masked', async ({ api }) => {
    // What worker processes write as they fetch (see the worker's proxy pool).
    const store = new ProxyStateStore(api.connection, api.prefix);
    await store.recordFailure(cooling!, { error: 'proxy answered 407', cool: true, cooldownBaseMs: 60_000, cooldownMaxMs: 60_000 });
    await store.recordSuccess(healthy!, Date.now());
    await store.recordSuccess(healthy!, Date.now());
    const res = await api.request('GET', '/v1/proxies');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('pw-hidden-4242');
    const body = JSON.parse(text) as Body;
    expect(body.proxies).toEqual([
      expect.objectContaining({
        proxy: '10.2.0.1:3128',
        url: 'http://***:***@10.2.0.1:3128',
        state: 'cooling',
        failures: 1,
        successes: 0,
        lastError: 'proxy answered 407',
        lastErrorAt: expect.any(String),
        coolingUntil: expect.any(String),
      }),
      expect.objectContaining({ proxy: '10.2.0.2:3128', url: 'http://10.2.0.2:3128', state: 'healthy', successes: 2, failures: 0, coolingUntil: null }),
    ]);

    // The answer matches what /openapi.json says of it.
    const doc = (await (await api.request('GET', '/openapi.json')).json()) as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: object }> }> }>> };
    const schema = doc.paths['/v1/proxies']?.get?.responses['200']?.content['application/json']?.schema;
    const ajv = new Ajv2020({ strict: false });
    expect(ajv.validate(schema ?? false, body), ajv.errorsText()).toBe(true);
  });

  test('needs the admin scope', async ({ api }) => {
    const reader = api.createKey(['jobs:read']);
    const res = await api.request('GET', '/v1/proxies', { headers: { authorization: `Bearer ${reader}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'forbidden', details: { required: 'admin' } } });
    expect((await api.request('GET', '/v1/proxies', { auth: false })).status).toBe(401);
    expect((await api.request('DELETE', '/v1/proxies')).status).toBe(405);
  });
});
