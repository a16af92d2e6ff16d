import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import type { ApiHarness } from '../testing/api-harness';
import { apiTest, apiTestWith } from '../testing/api-test';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** What a refusal says: its status, its Retry-After, and its error (code, message, details). */
async function refusal(res: Response) {
  return { status: res.status, retryAfter: res.headers.get('retry-after'), error: ((await res.json()) as ErrorBody).error };
}

/** Each test's API, with the limits it tests. */
const backlogCapped = apiTestWith({ limits: { backlogCap: { compute: 0 }, backlogCacheMs: 0 } });
const smallRedis = apiTestWith({ redis: { maxmemory: '8mb' }, limits: { redisMemoryHigh: 0.5, redisMemoryLow: 0.4 } });
// A limit of 0 ms: the event-loop guard sheds from its first reading on, and never reopens.
const overloaded = apiTestWith({ limits: { maxEventLoopDelayMs: 0 } });
// A bucket of one token, refilled every 2 s.
const oneComputeToken = apiTestWith({ limits: { rateLimitPerSecond: { compute: 0.5 } } });

/**
 * A schedule comes in the way a POST of its type does: the same validation
 * (payload schema, urlFields policy) and the same admission, refused with the
 * same answer, and nothing stored when refused.
 */
describe('schedules pass the validation and admission of a POST', () => {
  const put = (harness: ApiHarness, id: string, type: string, payload: unknown) =>
    harness.request('PUT', `/v1/schedules/${id}`, { json: { type, payload, everyMs: 60_000 } });
  const post = (harness: ApiHarness, type: string, payload: unknown) => harness.request('POST', `/v1/jobs/${type}`, { json: { payload } });
  const computeJobs = (harness: ApiHarness) => harness.queues.compute.getJobCounts('waiting', 'delayed');
  /** Neither the schedule nor any job of it was stored: the compute jobs are still `before`. */
  const expectNothingStored = async (harness: ApiHarness, id: string, before: Record<string, number>) => {
    expect((await harness.request('GET', `/v1/schedules/${id}`)).status).toBe(404);
    expect(await harness.queues.compute.first.getJobScheduler(id)).toBeUndefined();
    expect(await computeJobs(harness)).toEqual(before);
  };

  backlogCapped('a type at its backlog cap refuses a schedule with the queue_full a POST gets', async ({ api }) => {
    const byPost = await refusal(await post(api, 'compute', { n: 1, m: 1 }));
    expect(byPost).toMatchObject({ status: 429, retryAfter: '5', error: { code: 'queue_full', details: { backlog: 0, cap: 0 } } });
    expect(await refusal(await put(api, 'capped', 'compute', { n: 1, m: 1 }))).toEqual(byPost);
    await expectNothingStored(api, 'capped', { waiting: 0, delayed: 0 });
  });

  smallRedis('a nearly full Redis refuses a schedule with the redis_memory_high a POST gets', async ({ api }) => {
    const ballast = 'x'.repeat(100_000);
    for (let i = 0; i < 45; i++) await api.connection.set(`ballast:${i}`, ballast);
    const refused = await waitFor(async () => {
      const res = await post(api, 'compute', { n: 1, m: 1 });
      return res.status === 503 ? res : undefined;
    }, { description: 'the memory guard to shed' });
    const byPost = await refusal(refused);
    expect(byPost).toMatchObject({ retryAfter: '5', error: { code: 'redis_memory_high', details: { primary: `127.0.0.1:${api.redis.port}` } } });
    const before = await computeJobs(api);
    const byPut = await refusal(await put(api, 'full', 'compute', { n: 1, m: 1 }));
    // usedBytes moves between the two readings; the rest is the same answer.
    const { usedBytes: _postBytes, ...postDetails } = byPost.error.details as Record<string, unknown>;
    const { usedBytes: _putBytes, ...putDetails } = byPut.error.details as Record<string, unknown>;
    expect({ ...byPut, error: { ...byPut.error, details: putDetails } }).toEqual({ ...byPost, error: { ...byPost.error, details: postDetails } });
    await expectNothingStored(api, 'full', before);
  });

  overloaded('an overloaded API process refuses a schedule with the overloaded a POST gets', async ({ api }) => {
    const refused = await waitFor(async () => {
      const res = await post(api, 'compute', { n: 1, m: 1 });
      return res.status === 503 ? res : undefined;
    }, { description: 'the event-loop guard to shed' });
    const byPost = await refusal(refused);
    expect(byPost).toMatchObject({ retryAfter: '1', error: { code: 'overloaded' } });
    const before = await computeJobs(api);
    const byPut = await refusal(await put(api, 'overloaded', 'compute', { n: 1, m: 1 }));
    // The message names the delay last measured, which may have moved on.
    expect({ ...byPut, error: { ...byPut.error, message: '' } }).toEqual({ ...byPost, error: { ...byPost.error, message: '' } });
    await expectNothingStored(api, 'overloaded', before);
  });

  oneComputeToken('a PUT spends one of the caller\'s rate tokens for the type, and is rate limited like a POST', async ({ api }) => {
    expect((await put(api, 'first', 'compute', { n: 1, m: 1 })).status).toBe(200);
    const before = await computeJobs(api);
    const byPost = await refusal(await post(api, 'compute', { n: 1, m: 1 }));
    const byPut = await refusal(await put(api, 'second', 'compute', { n: 1, m: 1 }));
    // The wait left (Retry-After, and the message that says it) shrinks between the two.
    for (const answer of [byPost, byPut]) {
      expect(answer).toMatchObject({ status: 429, error: { code: 'rate_limited' } });
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(byPut.error.details).toEqual(byPost.error.details);
    await expectNothingStored(api, 'second', before);
  });

  apiTest('an invalid payload is refused with the 422 issues a POST gets', async ({ api }) => {
    const payloads: Array<[string, unknown]> = [
      ['sentiment', { text: '' }],
      ['sentiment', { text: 'fine', extra: true }],
      ['sentiment', {}],
      ['sentiment', null],
      ['compute', { n: 'one', m: -1 }],
    ];
    for (const [type, payload] of payloads) {
      const byPost = await refusal(await post(api, type, payload));
      expect(byPost.error.code, JSON.stringify(payload)).toBe('invalid_payload');
      expect(await refusal(await put(api, 'invalid', type, payload)), JSON.stringify(payload)).toEqual(byPost);
    }
    expect((await api.request('GET', '/v1/schedules/invalid')).status).toBe(404);
  });

  apiTest('a payload naming a private URL, for a type with urlFields, is refused like a POST', async ({ api }) => {
    for (const url of ['http://127.0.0.1:6379/', 'http://localhost/admin', 'http://10.1.2.3/', 'http://[::1]/', 'not a url']) {
      const byPost = await refusal(await post(api, 'page-extract', { url }));
      expect(byPost, url).toMatchObject({ status: 422, error: { code: 'invalid_payload' } });
      expect(await refusal(await put(api, 'private', 'page-extract', { url })), url).toEqual(byPost);
    }
    expect((await api.request('GET', '/v1/schedules/private')).status).toBe(404);
    expect(await api.queues['page-extract'].first.getJobScheduler('private')).toBeUndefined();
  });
});
