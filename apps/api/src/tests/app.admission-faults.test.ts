import { describe, expect, test as base } from 'vitest';
import { startApi, type ApiHarness } from '../testing/api-harness';

interface ErrorBody {
  error: { code: string };
}

const test = base.extend<{ api: ApiHarness }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    // A backlog reading is never reused, so every request reads it.
    const api = await startApi({ faultProxy: true, limits: { backlogCacheMs: 0 } });
    await use(api);
    // A test that failed while the connection was stalled leaves it so: let it go before stopping.
    api.proxy?.resume();
    await api.stop();
  },
});

/** Admission's own Redis reads while the API's connection is stalled (testkit fault proxy): bounded, never a hung request. */
describe('admission under a stalled Redis connection', () => {
  test('answers 503 redis_timeout for single and bulk enqueues while the backlog read gets no answer', { timeout: 30_000 }, async ({ api }) => {
    expect((await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'before' } } })).status).toBe(202);
    api.proxy?.stall();
    const single = await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'stalled' } } });
    expect(single.status).toBe(503);
    expect(((await single.json()) as ErrorBody).error.code).toBe('redis_timeout');
    const bulk = await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs: [{ payload: { text: 'stalled bulk' } }] } });
    expect(bulk.status).toBe(503);
    expect(((await bulk.json()) as ErrorBody).error.code).toBe('redis_timeout');
    api.proxy?.resume();
  });
});
