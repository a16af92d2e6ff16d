import { describe, expect } from 'vitest';
import type { ApiHarness } from '../testing/api-harness';
import { apiTestWith } from '../testing/api-test';

const test = apiTestWith({ limits: { rateLimitPerSecond: { compute: 1 } } });

/**
 * Plain single enqueues take a lean path in front of express
 * (fast-path/lean-enqueue.ts). `?wait=0` changes nothing about the job but
 * sends the same request through express, so each case is asked both ways and
 * must get the same answer.
 */
describe('the lean enqueue path', () => {
  const ask = async (api: ApiHarness, lean: boolean, type: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const res = await api.request('POST', `/v1/jobs/${type}${lean ? '' : '?wait=0'}`, { body, headers: { ...headers, 'x-request-id': 'parity-1' } });
    const text = await res.text();
    return {
      status: res.status,
      // Ids differ between two enqueues; everything else must not.
      body: text.replace(/"(id|self)":"[^"]*"/g, '"$1":"…"').replace(/\/v1\/jobs\/(\w[\w-]*)\/[\w-]+/g, '/v1/jobs/$1/…'),
      contentType: res.headers.get('content-type'),
      location: res.headers.get('location')?.replace(/[^/]+$/, '…') ?? null,
      requestId: res.headers.get('x-request-id'),
      retryAfter: res.headers.get('retry-after'),
      security: ['x-content-type-options', 'x-frame-options', 'content-security-policy', 'strict-transport-security'].map((h) => res.headers.get(h)),
    };
  };

  test.for([
    ['a valid job', 'sentiment', JSON.stringify({ payload: { text: 'lovely' } })],
    ['a job with options', 'sentiment', JSON.stringify({ payload: { text: 'later' }, options: { delayMs: 60_000, timeoutMs: 500 } })],
    ['a payload off its schema', 'sentiment', JSON.stringify({ payload: { text: 42 } })],
    ['an unknown field', 'sentiment', JSON.stringify({ payload: { text: 'x' }, extra: true })],
    ['a JSON array', 'sentiment', '[1,2]'],
    ['an out-of-range option', 'sentiment', JSON.stringify({ payload: { text: 'x' }, options: { attempts: 0 } })],
  ] as const)('answers %s the way express does', async ([, type, body], { api }) => {
    const lean = await ask(api, true, type, body);
    expect(lean).toEqual(await ask(api, false, type, body));
    // helmet's headers, on both paths.
    expect(lean.security[0]).toBe('nosniff');
    expect(lean.security[2]).toContain("default-src 'self'");
  });

  test.for(['{"payload":', 'null', '"text"', '42'])('answers the malformed JSON %s with the same status, code and headers', async (body, { api }) => {
    const lean = await ask(api, true, 'sentiment', body);
    const express = await ask(api, false, 'sentiment', body);
    expect(lean.status).toBe(400);
    expect({ ...lean, body: JSON.parse(lean.body).error.code }).toEqual({ ...express, body: JSON.parse(express.body).error.code });
  });

  test('rate limits the same way', async ({ api }) => {
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await ask(api, i % 2 === 0, 'compute', JSON.stringify({ payload: { n: 1, m: 1 } })));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const answer of limited) expect(answer.retryAfter).not.toBeNull();
    expect(new Set(limited.map((a) => a.body)).size).toBe(1);
  });

  test('takes a body with a jobId itself, through the same pipeline', async ({ api }) => {
    const body = JSON.stringify({ jobId: 'lean-handover', payload: { text: 'once' } });
    expect((await ask(api, true, 'sentiment', body)).status).toBe(202);
    expect((await ask(api, true, 'sentiment', body)).status).toBe(200);
    expect((await api.queues.sentiment.getJob('lean-handover'))?.data).toEqual({ text: 'once' });
  });

  test('takes plain enqueues itself (a body express never parsed is counted under the route)', async ({ api }) => {
    const count = async (route: string) => {
      const text = await (await api.request('GET', '/metrics')).text();
      const line = text.split('\n').find((l) => l.startsWith(`floodgate_http_requests_total{method="POST",route="${route}",status="400"`));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const [lean, express] = [await count('/v1/jobs/:type'), await count('unmatched')];
    await ask(api, true, 'sentiment', '{');
    expect(await count('/v1/jobs/:type')).toBe(lean + 1);
    // Through express, a body its parser refuses never reaches a route.
    await ask(api, false, 'sentiment', '{');
    expect(await count('unmatched')).toBe(express + 1);
  });

  test('counts its requests under the route template, like express', async ({ api }) => {
    expect((await ask(api, true, 'sentiment', JSON.stringify({ payload: { text: 'counted' } }))).status).toBe(202);
    const metrics = await (await api.request('GET', '/metrics')).text();
    expect(metrics).toMatch(/floodgate_http_requests_total\{method="POST",route="\/v1\/jobs\/:type",status="202"[^}]*\} [1-9]/);
  });
});
