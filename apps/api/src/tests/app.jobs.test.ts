import { Worker } from 'bullmq';
import { describe, expect } from 'vitest';
import { waitFor } from '@floodgate/testkit';
import { totalJobs } from '../testing/api-harness';
import { apiTestWith } from '../testing/api-test';

interface ErrorBody {
  error: { code: string; message: string; details?: { issues?: Array<{ path: string; message: string }> } };
}

const test = apiTestWith({ bodyLimitBytes: 2_048 });

const expectError = async (res: Response, status: number, code: string): Promise<ErrorBody> => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(js|ts):\d+/); // no stack trace
  return body;
};

describe('the jobs API', () => {

  test('enqueues a valid job: 202, an id, a Location, and a readable job', async ({ api }) => {
    const res = await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'good times' } } });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; type: string; state: string; links: { self: string } };
    expect(body).toMatchObject({ id: expect.any(String), type: 'sentiment', state: 'waiting' });
    expect(res.headers.get('location')).toBe(body.links.self);

    const view = await (await api.request('GET', body.links.self)).json();
    expect(view).toMatchObject({
      id: body.id,
      type: 'sentiment',
      state: 'waiting',
      attempts: 0,
      result: null,
      error: null,
      startedAt: null,
      finishedAt: null,
    });
    expect(Date.parse((view as { createdAt: string }).createdAt)).not.toBeNaN();
    // The job carries the catalog's options.
    const job = await api.queues.sentiment.getJob(body.id);
    expect(job?.opts).toMatchObject({ attempts: 2, removeOnComplete: { count: 1_000, age: 3_600 } });
  });

  test('reports completed and failed jobs run by a real BullMQ worker', async ({ api }) => {
    const queue = api.queues.compute.first;
    const worker = new Worker(
      queue.name,
      async (job) => {
        if ((job.data as { n: number }).n === 13) throw new Error('unlucky');
        return { checksum: 'abcd0123', operations: 1, n: 1, m: 1 };
      },
      { connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }), prefix: api.prefix, name: 'test-worker' },
    );
    try {
      const ok = (await (await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 1, m: 1 } } })).json()) as { id: string };
      const bad = (await (await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 13, m: 1 } } })).json()) as { id: string };
      const completed = await waitFor(async () => {
        const view = (await (await api.request('GET', `/v1/jobs/compute/${ok.id}`)).json()) as { state: string };
        return view.state === 'completed' ? view : undefined;
      });
      expect(completed).toMatchObject({ result: { checksum: 'abcd0123' }, attempts: 1, processedBy: 'test-worker' });
      const failed = await waitFor(async () => {
        const view = (await (await api.request('GET', `/v1/jobs/compute/${bad.id}`)).json()) as { state: string };
        return view.state === 'failed' ? view : undefined;
      }, { timeoutMs: 15_000 });
      // compute allows 2 attempts, with a 1 s back-off between them.
      expect(failed).toMatchObject({ error: 'unlucky', attempts: 2, result: null, finishedAt: expect.any(String) });
    } finally {
      await worker.close();
    }
  });

  test('reads application/*+json bodies as JSON too', async ({ api }) => {
    const res = await api.request('POST', '/v1/jobs/sentiment', {
      body: JSON.stringify({ payload: { text: 'vendor types are fine' } }),
      headers: { 'content-type': 'application/vnd.floodgate+json' },
    });
    expect(res.status).toBe(202);
  });

  test('lists every job type with its JSON Schema', async ({ api }) => {
    const body = (await (await api.request('GET', '/v1/job-types')).json()) as { types: Array<{ type: string; payloadSchema: { type: string } }> };
    expect(body.types.map((t) => t.type)).toEqual(['sentiment', 'page-extract', 'compute']);
    for (const t of body.types) expect(t.payloadSchema.type).toBe('object');
  });

  // Each test ends by checking that its own API holds no job: the bad requests enqueued nothing.
  describe('refuses bad requests with a JSON error and enqueues nothing', () => {
    test('400 invalid_json for malformed JSON', async ({ api }) => {
      await expectError(await api.request('POST', '/v1/jobs/sentiment', { body: '{"payload":', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
      expect(await totalJobs(api.queues)).toBe(0);
    });

    test('413 body_too_large past the body limit', async ({ api }) => {
      const body = await expectError(
        await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'x'.repeat(5_000) } } }),
        413,
        'body_too_large',
      );
      expect(body.error.message).toContain('2048');
      expect(await totalJobs(api.queues)).toBe(0);
    });

    test('415 unsupported_media_type for a body that is not JSON', async ({ api }) => {
      await expectError(await api.request('POST', '/v1/jobs/sentiment', { body: 'text=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
      await expectError(await api.request('POST', '/v1/jobs/sentiment'), 415, 'unsupported_media_type');
      expect(await totalJobs(api.queues)).toBe(0);
    });

    test('404 unknown_job_type, naming the known types', async ({ api }) => {
      const body = await expectError(await api.request('POST', '/v1/jobs/nope', { json: { payload: {} } }), 404, 'unknown_job_type');
      expect(body.error.message).toContain('sentiment, page-extract, compute');
      await expectError(await api.request('GET', '/v1/jobs/__proto__/1'), 404, 'unknown_job_type');
      expect(await totalJobs(api.queues)).toBe(0);
    });

    test('422 invalid_payload with each issue and its path', async ({ api }) => {
      const body = await expectError(
        await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 'ten', m: -1 } } }),
        422,
        'invalid_payload',
      );
      expect(body.error.details?.issues?.map((i) => i.path)).toEqual(['payload.n', 'payload.m']);
      await expectError(await api.request('POST', '/v1/jobs/sentiment', { json: { text: 'no envelope' } }), 422, 'invalid_payload');
      await expectError(await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'a' }, extra: 1 } }), 422, 'invalid_payload');
      await expectError(await api.request('POST', '/v1/jobs/sentiment', { body: '{"payload":{"text":"a","__proto__":{"x":1}}}', headers: { 'content-type': 'application/json' } }), 422, 'invalid_payload');
      await expectError(await api.request('POST', '/v1/jobs/page-extract', { json: { payload: { url: 'file:///etc/passwd' } } }), 422, 'invalid_payload');
      await expectError(await api.request('POST', '/v1/jobs/sentiment', { json: [] }), 422, 'invalid_payload');
      expect(await totalJobs(api.queues)).toBe(0);
    });

    test('400 invalid_job_id and 404 job_not_found', async ({ api }) => {
      await expectError(await api.request('GET', `/v1/jobs/sentiment/${'9'.repeat(129)}`), 400, 'invalid_job_id');
      await expectError(await api.request('GET', '/v1/jobs/sentiment/..%2F..%2Fetc'), 400, 'invalid_job_id');
      await expectError(await api.request('GET', '/v1/jobs/sentiment/%E2%9C%93'), 400, 'invalid_job_id');
      await expectError(await api.request('GET', '/v1/jobs/sentiment/999999'), 404, 'job_not_found');
      expect(await totalJobs(api.queues)).toBe(0);
    });

    test('404 route_not_found and 405 method_not_allowed', async ({ api }) => {
      await expectError(await api.request('GET', '/v2/anything'), 404, 'route_not_found');
      const res = await api.request('DELETE', '/v1/job-types');
      await expectError(res, 405, 'method_not_allowed');
      expect(res.headers.get('allow')).toBe('GET');
      expect(await totalJobs(api.queues)).toBe(0);
    });
  });
});
