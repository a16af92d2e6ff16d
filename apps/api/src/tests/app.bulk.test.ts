import { describe, expect } from 'vitest';
import { totalJobs, type ApiHarness } from '../testing/api-harness';
import { apiTestWith } from '../testing/api-test';

interface BulkBody {
  type: string;
  count: number;
  jobs: Array<{ id: string; state: string; links: { self: string } }>;
}
interface ErrorBody {
  error: { code: string; details?: { issues?: Array<{ path: string }>; max?: number; count?: number } };
}

const test = apiTestWith({ bulkMaxJobs: 50, limits: { backlogCap: { compute: 60 }, rateLimitPerSecond: { 'page-extract': 10 }, backlogCacheMs: 0 } });

const bulk = (api: ApiHarness, type: string, jobs: unknown) => api.request('POST', `/v1/jobs/${type}/bulk`, { json: { jobs } });

describe('POST /v1/jobs/:type/bulk', () => {
  test('enqueues every job in one go and returns their ids in order', async ({ api }) => {
    const texts = ['one', 'two', 'three'];
    const res = await bulk(api, 'sentiment', texts.map((text) => ({ payload: { text } })));
    expect(res.status).toBe(202);
    const body = (await res.json()) as BulkBody;
    expect(body).toMatchObject({ type: 'sentiment', count: 3 });
    const stored = await Promise.all(body.jobs.map((job) => api.queues.sentiment.getJob(job.id)));
    expect(stored.map((job) => (job?.data as { text: string }).text)).toEqual(texts);
    expect(body.jobs[0]?.links.self).toBe(`/v1/jobs/sentiment/${body.jobs[0]?.id}`);
    expect(stored[0]?.opts).toMatchObject({ attempts: 2 });
  });

  test('reports each item: safe to resend with the items\' own ids, and a conflict fails only its item', async ({ api }) => {
    const jobs = ['a', 'b', 'c'].map((text) => ({ jobId: `bulk-retry-${text}`, payload: { text } }));
    const first = await bulk(api, 'sentiment', jobs);
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ status: 'all', count: 3, jobs: jobs.map((job) => ({ id: job.jobId, created: true, state: 'waiting' })) });
    const again = await bulk(api, 'sentiment', jobs);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ status: 'all', count: 3, jobs: jobs.map((job) => ({ id: job.jobId, created: false })) });
    const mixed = await bulk(api, 'sentiment', [{ jobId: 'bulk-retry-a', payload: { text: 'other' } }, { payload: { text: 'new' } }]);
    expect(mixed.status).toBe(207);
    const body = (await mixed.json()) as { status: string; count: number; jobs: Array<{ id?: string; error?: { code: string } }> };
    expect(body).toMatchObject({ status: 'some', count: 1 });
    expect(body.jobs[0]).toMatchObject({ id: 'bulk-retry-a', error: { code: 'idempotency_conflict' } });
    expect(body.jobs[1]?.id).toMatch(/^p0-/);
    for (const job of jobs) expect((await api.queues.sentiment.getJob(job.jobId))?.data).toEqual(job.payload);
    const reserved = await bulk(api, 'sentiment', [{ jobId: 'p0-AAAAAAAAAAAAAAAAAAAAAA', payload: { text: 'x' } }]);
    expect(reserved.status).toBe(422);
    expect(((await reserved.json()) as ErrorBody).error.code).toBe('reserved_job_id');
  });

  // Each test ends by counting its own API's jobs: none, but for what it enqueued on purpose.
  describe('refuses, enqueueing nothing', () => {
    test('a batch with any invalid item, naming each bad index', async ({ api }) => {
      const res = await bulk(api, 'sentiment', [{ payload: { text: 'fine' } }, { payload: { text: '' } }, { payload: {} }, { nope: 1 }]);
      expect(res.status).toBe(422);
      const paths = ((await res.json()) as ErrorBody).error.details?.issues?.map((issue) => issue.path);
      expect(paths).toEqual(['jobs.1.payload.text', 'jobs.2.payload.text', 'jobs.3.payload', 'jobs.3']);
      expect(await totalJobs(api.queues)).toBe(0);
    });

    test('a batch over the item limit, or an empty one', async ({ api }) => {
      const tooMany = await bulk(api, 'compute', Array.from({ length: 51 }, () => ({ payload: { n: 1, m: 1 } })));
      expect(tooMany.status).toBe(422);
      expect(((await tooMany.json()) as ErrorBody).error).toMatchObject({ code: 'too_many_jobs', details: { max: 50, count: 51 } });
      expect((await bulk(api, 'compute', [])).status).toBe(422);
      expect((await api.request('POST', '/v1/jobs/compute/bulk', { json: { jobs: 'many' } })).status).toBe(422);
      expect(await totalJobs(api.queues)).toBe(0);
    });

    test('a batch that would overflow the backlog cap', async ({ api }) => {
      expect((await bulk(api, 'compute', Array.from({ length: 50 }, () => ({ payload: { n: 1, m: 1 } })))).status).toBe(202);
      const full = await bulk(api, 'compute', Array.from({ length: 11 }, () => ({ payload: { n: 1, m: 1 } })));
      expect(full.status).toBe(429);
      expect(((await full.json()) as ErrorBody).error.code).toBe('queue_full');
      expect(await totalJobs(api.queues)).toBe(50);
    });

    test('a batch larger than one client\'s whole rate allowance, which no wait would make room for', async ({ api }) => {
      const res = await bulk(api, 'page-extract', Array.from({ length: 21 }, (_, i) => ({ payload: { url: `https://example.com/${i}` } })));
      expect(res.status).toBe(422);
      expect(((await res.json()) as ErrorBody).error).toMatchObject({ code: 'too_many_jobs', details: { max: 20, count: 21 } });
      expect(await totalJobs(api.queues)).toBe(0);
    });

    test('an unknown type', async ({ api }) => {
      expect((await bulk(api, 'nope', [{ payload: {} }])).status).toBe(404);
      expect(await totalJobs(api.queues)).toBe(0);
    });
  });
});
