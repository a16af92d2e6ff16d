import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import type { ApiHarness } from '../testing/api-harness';
import { apiTestWith } from '../testing/api-test';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, number> };
}

const post = (harness: ApiHarness, type: string, payload: unknown) => harness.request('POST', `/v1/jobs/${type}`, { json: { payload } });

/** Each test's API, with the limits it tests. */
const rateLimited = apiTestWith({ limits: { rateLimitPerSecond: { sentiment: 3 } } });
const backlogCapped = apiTestWith({ limits: { backlogCap: { compute: 5, sentiment: 1 }, backlogCacheMs: 0 } });
const cappedOnOneToken = apiTestWith({ limits: { rateLimitPerSecond: { sentiment: 0.5 }, backlogCap: { sentiment: 1 }, backlogCacheMs: 0 } });
const tenantCappedOnTwoTokens = apiTestWith({ limits: { rateLimitPerSecond: { sentiment: 1 } }, fairness: { tenantBacklogCaps: { sentiment: 1 } }, dispatchSlots: false });
const smallRedis = apiTestWith({ redis: { maxmemory: '8mb' }, limits: { redisMemoryHigh: 0.5, redisMemoryLow: 0.4 } });

describe('admission control', () => {
  rateLimited('rate limits each client per type, with Retry-After, and leaves other types alone', async ({ api }) => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    const startedAt = Date.now();
    // Until refused (a slow machine refills the bucket between requests), at most 40.
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await post(api, 'sentiment', { text: `hello ${i}` });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    // 3 a second plus a burst of 3: the first 3 pass, and no more than the bucket (6)
    // refilled while the requests ran (however slow the machine made them).
    const refilled = Math.ceil(((Date.now() - startedAt) / 1_000) * 3);
    expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(6 + refilled);
    expect(limited).toBeDefined();
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited?.json()) as ErrorBody).error.code).toBe('rate_limited');
    // Each client has its own allowance: another key's job is taken while this one is refused.
    const other = api.createKey(['jobs:write']);
    expect((await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'another client' } }, headers: { authorization: `Bearer ${other}` } })).status).toBe(202);
    expect((await post(api, 'compute', { n: 1, m: 1 })).status).toBe(202);
    const counts = await api.queues.sentiment.getJobCounts('waiting');
    expect(counts.waiting).toBe(statuses.filter((s) => s === 202).length + 1);
  });

  backlogCapped('refuses jobs past a type\'s backlog cap with queue_full, enqueueing nothing', async ({ api }) => {
    for (let i = 0; i < 5; i++) expect((await post(api, 'compute', { n: 1, m: i + 1 })).status).toBe(202);
    const full = await post(api, 'compute', { n: 1, m: 99 });
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('5');
    expect(((await full.json()) as ErrorBody).error).toMatchObject({ code: 'queue_full', details: { backlog: 5, cap: 5 } });
    expect((await api.queues.compute.getJobCounts('waiting')).waiting).toBe(5);
    // Another type has its own cap: a full compute queue does not count against it, and it is held to its own.
    expect((await post(api, 'sentiment', { text: 'fine' })).status).toBe(202);
    const sentimentFull = await post(api, 'sentiment', { text: 'past its own cap' });
    expect(sentimentFull.status).toBe(429);
    expect(((await sentimentFull.json()) as ErrorBody).error).toMatchObject({ code: 'queue_full', details: { backlog: 1, cap: 1 } });
    // Draining makes room again.
    await api.queues.compute.first.drain();
    expect((await post(api, 'compute', { n: 1, m: 1 })).status).toBe(202);
  });

  cappedOnOneToken('spends no rate tokens on a request refused as queue_full', async ({ api }) => {
    // One token, refilled every 2 s: a request that took it and was then refused would leave none.
    await api.queues.sentiment.first.add('sentiment', { text: 'already waiting' });
    for (let i = 0; i < 3; i++) {
      const full = await post(api, 'sentiment', { text: `refused ${i}` });
      expect(full.status).toBe(429);
      expect(((await full.json()) as ErrorBody).error.code).toBe('queue_full');
    }
    await api.queues.sentiment.first.drain();
    expect((await post(api, 'sentiment', { text: 'the token is still there' })).status).toBe(202);
    // And the limit is in force (the 202 above was the one token's, not a pass): with room in
    // the queue, the next job is refused as rate_limited. A token that refilled meanwhile on a
    // slow machine only passes one more job, so a few are tried.
    let refused: string | undefined;
    for (let i = 0; i < 5 && !refused; i++) {
      await api.queues.sentiment.first.drain();
      const res = await post(api, 'sentiment', { text: `past the limit ${i}` });
      if (res.status !== 202) refused = ((await res.json()) as ErrorBody).error.code;
    }
    expect(refused).toBe('rate_limited');
  });

  tenantCappedOnTwoTokens('gives back the rate token of a request refused after admission (tenant_queue_full), and spends none on repeats', async ({ api }) => {
    // Two tokens, one more a second; one job of the caller may wait at a time; no worker takes any.
    const first = await post(api, 'sentiment', { text: 'the one waiting' });
    expect(first.status).toBe(202);
    const full = await post(api, 'sentiment', { text: 'refused after its token was taken' });
    expect(((await full.json()) as ErrorBody).error.code).toBe('tenant_queue_full');
    expect((await api.request('DELETE', `/v1/jobs/sentiment/${((await first.json()) as { id: string }).id}`)).status).toBe(200);
    // The refused request's token came back: with it, this one passes (without, it would be rate_limited).
    const keyed = (text: string) => api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text } }, headers: { 'idempotency-key': 'the-one' } });
    expect((await keyed('on the token given back')).status).toBe(202);
    // A repeat and a conflict are answered from the record, with no token left to spend.
    expect((await keyed('on the token given back')).status).toBe(200);
    expect((await keyed('another payload')).status).toBe(409);
    // And the limit is in force (the 202 above was the given-back token's, not a pass): with the keyed job
    // gone, new jobs are refused as rate_limited. A token that refilled meanwhile on a slow machine
    // only passes one more job (removed in turn), so a few are tried.
    let job = ((await (await keyed('on the token given back')).json()) as { id: string }).id;
    let refused: string | undefined;
    for (let i = 0; i < 5 && !refused; i++) {
      expect((await api.request('DELETE', `/v1/jobs/sentiment/${job}`)).status).toBe(200);
      const res = await post(api, 'sentiment', { text: `past the limit ${i}` });
      if (res.status === 202) job = ((await res.json()) as { id: string }).id;
      else refused = ((await res.json()) as ErrorBody).error.code;
    }
    expect(refused).toBe('rate_limited');
  });

  smallRedis('refuses new jobs while Redis is nearly full, and accepts them again once it is not', async ({ api }) => {
    expect((await post(api, 'sentiment', { text: 'before' })).status).toBe(202);
    // Fill Redis past the high-water mark (half of 8 MB) with ballast.
    const ballast = 'x'.repeat(100_000);
    for (let i = 0; i < 45; i++) await api.connection.set(`ballast:${i}`, ballast);
    const refused = await waitFor(async () => {
      const res = await post(api, 'sentiment', { text: 'during' });
      return res.status === 503 ? res : undefined;
    }, { description: 'the memory guard to shed' });
    expect(refused.headers.get('retry-after')).toBe('5');
    const body = (await refused.json()) as ErrorBody;
    expect(body.error.code).toBe('redis_memory_high');
    // The details name the primary that is full (one of several in a cluster).
    expect(body.error.details).toMatchObject({ primary: `127.0.0.1:${api.redis.port}`, maxBytes: 8 * 1_048_576 });
    expect((await api.request('GET', '/healthz')).status).toBe(200);
    expect((await api.request('GET', '/readyz')).status).toBe(200);
    // Bad input is still told what is wrong.
    expect((await post(api, 'sentiment', {})).status).toBe(422);

    for (let i = 0; i < 45; i++) await api.connection.del(`ballast:${i}`);
    await waitFor(async () => (await post(api, 'sentiment', { text: 'after' })).status === 202, {
      description: 'the memory guard to reopen',
    });
  });
});
