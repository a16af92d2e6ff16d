import { metricValue, waitFor } from '@floodgate/testkit';
import { MetricsTime, Worker } from 'bullmq';
import { describe, expect } from 'vitest';
import type { ApiHarness } from '../testing/api-harness';
import { apiTest as test } from '../testing/api-test';

describe('GET /metrics', () => {
  const scrape = async (api: ApiHarness) => {
    const res = await api.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  test('counts requests by route template and status, never by raw URL', async ({ api }) => {
    await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'hello' } } });
    await api.request('GET', '/v1/jobs/sentiment/424242');
    await api.request('GET', '/no/such/route');
    const text = await scrape(api);
    expect(metricValue(text, 'floodgate_http_requests_total', { route: '/v1/jobs/:type', method: 'POST', status: '202' })).toBe(1);
    expect(metricValue(text, 'floodgate_http_requests_total', { route: '/v1/jobs/:type/:id', status: '404' })).toBe(1);
    expect(metricValue(text, 'floodgate_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(metricValue(text, 'floodgate_http_request_duration_seconds_count', { route: '/v1/jobs/:type' })).toBe(1);
    expect(text).not.toContain('424242');
  });

  test('reports queue depth per type and state, Redis memory, and completed/failed totals', async ({ api }) => {
    const worker = new Worker('compute', async () => ({ checksum: '00000000', operations: 1, n: 1, m: 1 }), {
      connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
      prefix: api.prefix,
      metrics: { maxDataPoints: MetricsTime.ONE_HOUR },
      autorun: false,
    });
    await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 1, m: 1 } } });
    await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 1, m: 2 } } });
    let text = await scrape(api);
    expect(metricValue(text, 'floodgate_queue_jobs', { type: 'compute', state: 'waiting' })).toBe(2);
    expect(metricValue(text, 'floodgate_queue_jobs', { type: 'page-extract', state: 'waiting' })).toBe(0);
    expect(metricValue(text, 'floodgate_redis_up')).toBe(1);
    expect(metricValue(text, 'floodgate_redis_used_memory_bytes')).toBeGreaterThan(0);
    expect(metricValue(text, 'floodgate_redis_maxmemory_bytes')).toBeGreaterThanOrEqual(0);

    void worker.run();
    text = await waitFor(async () => {
      const t = await scrape(api);
      return metricValue(t, 'floodgate_queue_finished_jobs_total', { type: 'compute', status: 'completed' }) === 2 ? t : undefined;
    });
    expect(metricValue(text, 'floodgate_queue_jobs', { type: 'compute', state: 'completed' })).toBe(2);
    expect(metricValue(text, 'floodgate_queue_finished_jobs_total', { type: 'compute', status: 'failed' })).toBe(0);
    await worker.close();
  });

  test('carries Node process metrics with the app label', async ({ api }) => {
    expect(metricValue(await scrape(api), 'nodejs_eventloop_lag_p99_seconds', { app: 'api-test' })).toBeGreaterThanOrEqual(0);
  });
});
