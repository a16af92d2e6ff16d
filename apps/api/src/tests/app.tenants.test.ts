import type { TenantPage } from '@floodgate/shared/wire';
import { metricValue } from '@floodgate/testkit';
import { describe, expect, test as base } from 'vitest';
import { startApi, type ApiHarness } from '../testing/api-harness';
import { apiTestWith } from '../testing/api-test';

interface ErrorBody {
  error: { code: string; details?: Record<string, unknown> };
}

/**
 * Tenants of a fair type through the API: each API key's jobs wait in its own
 * lane, a tenant past its backlog share is refused with a code of its own
 * while the others are still taken, operators list and pause tenants. No
 * worker fleet here: jobs stay where the API put them.
 */
const test = base.extend<{ api: ApiHarness }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    const api = await startApi({ dispatchSlots: false, fairness: { tenantBacklogCaps: { compute: 3 } } });
    await use(api);
    await api.stop();
  },
});

const compute = (api: ApiHarness, key: string, options?: unknown) =>
  api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 1, m: 1 }, ...(options ? { options } : {}) }, headers: { authorization: `Bearer ${key}` } });

const keyIdOf = (key: string) => `key:${key.split('_')[1]}`;

describe('tenants of a fair type', () => {
  test("refuses a tenant past its backlog share with tenant_queue_full, and still takes the others' jobs", async ({ api }) => {
    const flood = api.createKey(['jobs:write']);
    const other = api.createKey(['jobs:write']);
    for (let i = 0; i < 3; i++) expect((await compute(api, flood)).status).toBe(202);
    const refused = await compute(api, flood);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    const body = (await refused.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: 'tenant_queue_full', details: { tenant: keyIdOf(flood), backlog: 3, cap: 3 } });
    // The other key is not held to the flood's backlog.
    expect((await compute(api, other)).status).toBe(202);
    // Nothing was added for the refusal: 4 waiting in all.
    expect((await api.queues.compute.getJobCounts('waiting')).waiting).toBe(4);
  });

  test('lists the busiest tenants first, with weights, and pages through them', async ({ api }) => {
    const heavy = api.createKey(['jobs:write'], 3);
    const light = api.createKey(['jobs:write']);
    for (let i = 0; i < 3; i++) await compute(api, heavy);
    await compute(api, light);
    const res = await api.request('GET', '/v1/queues/compute/tenants?limit=1');
    expect(res.status).toBe(200);
    const first = (await res.json()) as TenantPage;
    expect(first.tenants).toEqual([{ tenant: keyIdOf(heavy), backlog: 3, running: 0, paused: false, weight: 3, waitToStart: null }]);
    expect(first.nextCursor).toBe('1');
    const second = (await (await api.request('GET', `/v1/queues/compute/tenants?limit=1&cursor=${first.nextCursor}`)).json()) as TenantPage;
    expect(second.tenants.map((t) => [t.tenant, t.backlog, t.weight])).toEqual([[keyIdOf(light), 1, 1]]);
    expect(second.nextCursor).toBeNull();
    expect((await api.request('GET', '/v1/queues/compute/tenants?limit=1000')).status).toBe(400);
    // The same busiest tenants, as Prometheus series.
    const metrics = await (await api.request('GET', '/metrics')).text();
    expect(metricValue(metrics, 'floodgate_tenant_backlog_jobs', { type: 'compute', tenant: keyIdOf(heavy) })).toBe(3);
    expect(metricValue(metrics, 'floodgate_tenant_running_jobs', { type: 'compute', tenant: keyIdOf(light) })).toBe(0);
  });

  test('pauses and resumes one tenant (admin only), and says so in the list', async ({ api }) => {
    const key = api.createKey(['jobs:write']);
    await compute(api, key);
    const tenant = encodeURIComponent(keyIdOf(key));
    const reader = api.createKey(['jobs:read']);
    expect((await api.request('POST', `/v1/queues/compute/tenants/${tenant}/pause`, { headers: { authorization: `Bearer ${reader}` } })).status).toBe(403);
    const paused = await api.request('POST', `/v1/queues/compute/tenants/${tenant}/pause`);
    expect(await paused.json()).toEqual({ type: 'compute', tenant: keyIdOf(key), paused: true });
    const listed = (await (await api.request('GET', '/v1/queues/compute/tenants')).json()) as TenantPage;
    expect(listed.tenants.find((t) => t.tenant === keyIdOf(key))?.paused).toBe(true);
    expect(await (await api.request('POST', `/v1/queues/compute/tenants/${tenant}/resume`)).json()).toEqual({ type: 'compute', tenant: keyIdOf(key), paused: false });
    const bad = await api.request('POST', '/v1/queues/compute/tenants/somebody/pause');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.code).toBe('invalid_tenant');
  });

  test("cancels a job waiting for its tenant's turn: gone from its lane, off the tenant's backlog", async ({ api }) => {
    const key = api.createKey(['jobs:write']);
    const { id } = (await (await compute(api, key)).json()) as { id: string };
    await compute(api, key);
    expect((await api.request('DELETE', `/v1/jobs/compute/${id}`)).status).toBe(200);
    const listed = (await (await api.request('GET', '/v1/queues/compute/tenants')).json()) as TenantPage;
    expect(listed.tenants.find((t) => t.tenant === keyIdOf(key))?.backlog).toBe(1);
    expect((await api.queues.compute.getJobCounts('waiting')).waiting).toBe(1);
    expect((await api.request('GET', `/v1/jobs/compute/${id}`)).status).toBe(404);
  });

  test("finds, lists and counts jobs waiting for their tenant's turn as waiting jobs", async ({ api }) => {
    const key = api.createKey(['jobs:write']);
    const post = (text: string) =>
      api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text } }, headers: { authorization: `Bearer ${key}` } });
    const { id } = (await (await post('a rare needle')).json()) as { id: string };
    await post('plain hay');
    const found = (await (await api.request('GET', '/v1/jobs/sentiment?q=text:needle')).json()) as { jobs: Array<{ id: string; state: string }> };
    expect(found.jobs.map((job) => [job.id, job.state])).toEqual([[id, 'waiting']]);
    const listed = (await (await api.request('GET', '/v1/jobs/sentiment?state=waiting')).json()) as { jobs: Array<{ id: string }> };
    expect(listed.jobs).toHaveLength(2);
    const queues = (await (await api.request('GET', '/v1/queues')).json()) as { queues: Array<{ type: string; counts: Record<string, number> }> };
    expect(queues.queues.find((queue) => queue.type === 'sentiment')?.counts.waiting).toBe(2);
    expect(((await (await api.request('GET', `/v1/jobs/sentiment/${id}`)).json()) as { state: string }).state).toBe('waiting');
  });

  test('takes a group within the caller\'s share, and refuses a group that is not 1-64 safe characters', async ({ api }) => {
    const key = api.createKey(['jobs:write']);
    const ok = await compute(api, key, { group: 'customer-42' });
    expect(ok.status).toBe(202);
    const { id } = (await ok.json()) as { id: string };
    expect((await api.queues.compute.getJob(id))?.opts).toMatchObject({ tenant: keyIdOf(key), group: 'customer-42' });
    for (const group of ['', 'a/b', 'x'.repeat(65), 'new\nline']) {
      const res = await compute(api, key, { group });
      expect(res.status, JSON.stringify(group)).toBe(422);
    }
  });
});

const authDisabled = apiTestWith({ dispatchSlots: false, authDisabled: true });

describe('tenants with auth disabled', () => {
  authDisabled('makes each client address a tenant of its own', async ({ api }) => {
    const res = await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 1, m: 1 } }, auth: false });
    const { id } = (await res.json()) as { id: string };
    expect((await api.queues.compute.getJob(id))?.opts).toMatchObject({ tenant: 'ip:127.0.0.1' });
  });
});
