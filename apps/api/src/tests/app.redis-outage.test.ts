import { metricValue, waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import { apiTest as test } from '../testing/api-test';

describe('the API while Redis is down', () => {
  test('answers 503 at once (never hangs, never a false 202), stays healthy, and recovers by itself', async ({ api }) => {
    expect((await api.request('GET', '/readyz')).status).toBe(200);
    const accepted = (await (await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'before' } } })).json()) as { id: string };

    await api.redis.kill();
    await waitFor(() => api.connection.status !== 'ready', { description: 'the API to notice the outage' });

    const post = await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'during' } } });
    expect(post.status).toBe(503);
    expect(post.headers.get('retry-after')).toBe('2');
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('redis_unavailable');
    expect((await api.request('GET', `/v1/jobs/sentiment/${accepted.id}`)).status).toBe(503);
    const ready = await api.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: { code: string } }).error.code).toBe('redis_unavailable');
    expect((await api.request('GET', '/healthz')).status).toBe(200);
    // Metrics still answer, say Redis is down, and count what was turned away.
    const metrics = await (await api.request('GET', '/metrics')).text();
    expect(metricValue(metrics, 'floodgate_redis_up')).toBe(0);
    expect(metricValue(metrics, 'floodgate_queue_jobs')).toBeUndefined();
    expect(metricValue(metrics, 'floodgate_api_rejections_total', { reason: 'redis_unavailable' })).toBeGreaterThanOrEqual(2);
    // Validation does not need Redis: bad input is still a 4xx, not a 503.
    expect((await api.request('POST', '/v1/jobs/sentiment', { json: { payload: {} } })).status).toBe(422);

    await api.redis.restart();
    await waitFor(async () => (await api.request('GET', '/readyz')).status === 200, { timeoutMs: 15_000, description: 'readyz to recover' });
    const after = await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'after' } } });
    expect(after.status).toBe(202);
  });
});
