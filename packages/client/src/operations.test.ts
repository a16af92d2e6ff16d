import { describe, expect } from 'vitest';
import { FloodgateClient } from './index.js';
import { clientTestWith, type FloodgateJobs } from './test-support/client-test.test.js';
import { apiError } from './test-support/rejection.test.js';

/** Each test's API (no worker: the queues and workers lists show none), and a client of it. */
const test = clientTestWith();

/** The operator's routes, each through the client against the real API. */
describe('FloodgateClient operations', () => {
  test('puts, reads, lists and deletes a schedule', async ({ client }) => {
    const put = await client.putSchedule('nightly-score', { type: 'sentiment', payload: { text: 'every night' }, cron: '0 3 * * *', tz: 'Europe/Paris' });
    expect(put).toMatchObject({ id: 'nightly-score', type: 'sentiment', cron: '0 3 * * *', tz: 'Europe/Paris', everyMs: null, payload: { text: 'every night' } });
    expect(put.next).toEqual(expect.any(String));
    expect(await client.getSchedule('nightly-score')).toEqual(put);
    await client.putSchedule('every-minute', { type: 'compute', payload: { n: 1, m: 1 }, everyMs: 60_000 });
    expect((await client.listSchedules()).map((schedule) => schedule.id).sort()).toEqual(['every-minute', 'nightly-score']);
    expect(await client.deleteSchedule('nightly-score')).toEqual({ id: 'nightly-score', removed: true });
    expect((await apiError(client.getSchedule('nightly-score'), 'schedule_not_found')).status).toBe(404);
    expect((await apiError(client.putSchedule('bad', { type: 'sentiment', payload: { text: 'x' }, cron: 'not a cron' }), 'invalid_schedule')).status).toBe(422);
  });

  test('lists queues, and pauses and resumes one', async ({ api, client }) => {
    const queues = await client.listQueues();
    expect(queues.map((queue) => queue.type).sort()).toEqual(['compute', 'page-extract', 'sentiment']);
    expect(queues.find((queue) => queue.type === 'compute')).toMatchObject({ paused: false, counts: expect.any(Object), workers: [] });
    expect(await client.pauseQueue('compute')).toEqual({ type: 'compute', paused: true });
    expect((await client.listQueues()).find((queue) => queue.type === 'compute')?.paused).toBe(true);
    expect(await client.resumeQueue('compute')).toEqual({ type: 'compute', paused: false });
    expect(await api.queues.compute.isPaused()).toBe(false);
  });

  test('lists workers, proxies and job types', async ({ client }) => {
    expect(await client.listWorkers()).toEqual([]);
    expect(await client.listProxies()).toEqual([]);
    const types = await client.listJobTypes();
    expect(types.map((type) => type.type).sort()).toEqual(['compute', 'page-extract', 'sentiment']);
    expect(types.find((type) => type.type === 'sentiment')?.payloadSchema).toMatchObject({ type: 'object', properties: { text: expect.any(Object) } });
  });

  test('pages through tenants with for await', async ({ api, client }) => {
    // Backlogs of 1, 2 and 3 jobs: the API sorts tenants by backlog, so the pages do not shift between calls.
    for (let i = 1; i <= 3; i++) {
      const tenant = new FloodgateClient<FloodgateJobs>({ baseUrl: api.url, apiKey: api.createKey(['jobs:write']) });
      for (let j = 0; j < i; j++) await tenant.enqueue('sentiment', { text: `tenant ${i}, job ${j}` }, { delayMs: 600_000 });
    }
    const first = await client.listTenants('sentiment', { limit: 2 });
    expect(first.tenants).toHaveLength(2);
    expect(first.nextCursor).toBe('2');
    const tenants: string[] = [];
    for await (const tenant of client.listTenants('sentiment', { limit: 2 })) tenants.push(tenant.tenant);
    expect(tenants).toHaveLength(3);
    expect(new Set(tenants).size).toBe(3);
  });
});
