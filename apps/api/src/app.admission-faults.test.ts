import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './testing/api-harness';

interface ErrorBody {
  error: { code: string };
}

/** Admission's own Redis reads while the API's connection is stalled (testkit fault proxy): bounded, never a hung request. */
describe('admission under a stalled Redis connection', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    // A backlog reading is never reused, so every request reads it.
    api = await startApi({ faultProxy: true, limits: { backlogCacheMs: 0 } });
  });
  afterAll(async () => {
    api?.proxy?.resume();
    await api?.stop();
  });

  it('answers 503 redis_timeout for single and bulk enqueues while the backlog read gets no answer', { timeout: 30_000 }, async () => {
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
