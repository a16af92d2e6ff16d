import { describe, expect, it } from 'vitest';
import { requiredScope } from '../auth/required-scope';
import { totalJobs, type ApiHarness } from '../testing/api-harness';
import { apiTestWith } from '../testing/api-test';

type ErrorBody = { error: { code: string; details?: { required?: string } } };
const code = async (res: Response) => ((await res.json()) as ErrorBody).error.code;

const test = apiTestWith({ limits: { rateLimitPerSecond: { compute: 1 } } });

describe('API keys and scopes', () => {
  const as = (api: ApiHarness, key: string | undefined, method: string, path: string, json?: unknown, header = 'authorization') =>
    api.request(method, path, {
      auth: false,
      ...(json === undefined ? {} : { json }),
      headers: key === undefined ? {} : { [header]: header === 'authorization' ? `Bearer ${key}` : key },
    });
  const sentiment = { payload: { text: 'hello' } };

  test('answers 401 without a key or with a bad one, on every /v1 route, enqueueing nothing', async ({ api }) => {
    const before = await totalJobs(api.queues);
    const good = api.apiKey;
    const wrongSecret = `${good.slice(0, 16)}${good.slice(16).split('').reverse().join('')}`;
    for (const key of [undefined, 'nonsense', 'fg_000000000000_' + 'a'.repeat(43), wrongSecret]) {
      for (const [method, path, body] of [
        ['POST', '/v1/jobs/sentiment', sentiment],
        ['POST', '/v1/jobs/sentiment/bulk', { jobs: [sentiment] }],
        ['GET', '/v1/queues', undefined],
        ['GET', '/v1/no-such-route', undefined],
      ] as const) {
        const res = await as(api, key, method, path, body);
        expect(res.status, `${method} ${path} with ${key}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(await code(res)).toBe('unauthorized');
      }
    }
    expect(await totalJobs(api.queues)).toBe(before);
  });

  test('leaves probes, metrics and the API description open', async ({ api }) => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) expect((await as(api, undefined, 'GET', path)).status, path).toBe(200);
  });

  test('answers 403 naming the scope a key lacks, and lets each scope do its part', async ({ api }) => {
    const reader = api.createKey(['jobs:read']);
    const sentimentWriter = api.createKey(['jobs:write:sentiment']);
    const writer = api.createKey(['jobs:write']);

    const denied = await as(api, reader, 'POST', '/v1/jobs/sentiment', sentiment);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as ErrorBody).error).toMatchObject({ code: 'forbidden', details: { required: 'jobs:write:sentiment' } });
    expect((await as(api, reader, 'GET', '/v1/queues')).status).toBe(200);

    const accepted = await as(api, sentimentWriter, 'POST', '/v1/jobs/sentiment', sentiment);
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    expect((await as(api, sentimentWriter, 'POST', '/v1/jobs/sentiment/bulk', { jobs: [sentiment] })).status).toBe(202);
    expect((await as(api, sentimentWriter, 'POST', '/v1/jobs/compute', { payload: { n: 1, m: 1 } })).status).toBe(403);
    expect((await as(api, sentimentWriter, 'GET', `/v1/jobs/sentiment/${id}`)).status).toBe(403);
    expect((await as(api, writer, 'POST', '/v1/jobs/compute', { payload: { n: 1, m: 1 } }, 'x-api-key')).status).toBe(202);

    // Control is admin's: cancel, retry, pause, resume, schedules.
    for (const [method, path, body] of [
      ['DELETE', `/v1/jobs/sentiment/${id}`, undefined],
      ['POST', `/v1/jobs/sentiment/${id}/retry`, undefined],
      ['POST', '/v1/queues/sentiment/pause', undefined],
      ['PUT', '/v1/schedules/nightly', { type: 'compute', payload: { n: 1, m: 1 }, cron: '0 3 * * *' }],
    ] as const) {
      expect((await as(api, writer, method, path, body)).status, `${method} ${path}`).toBe(403);
    }
    expect((await as(api, api.apiKey, 'DELETE', `/v1/jobs/sentiment/${id}`)).status).toBe(200);
  });

  test('checks the scope of the route express serves, whatever the case of the path or a trailing slash', async ({ api }) => {
    const reader = api.createKey(['jobs:read']);
    const before = await totalJobs(api.queues);
    // express matches paths case-insensitively and with a trailing slash: the scope check must see the same route.
    for (const [method, path, body] of [
      ['POST', '/V1/JOBS/sentiment', sentiment],
      ['POST', '/v1/jobs/sentiment/', sentiment],
      ['POST', '/v1/Queues/sentiment/PAUSE', undefined],
      ['PUT', '/v1/SCHEDULES/nightly', { type: 'compute', payload: { n: 1, m: 1 }, cron: '0 3 * * *' }],
    ] as const) {
      const res = await as(api, reader, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(await totalJobs(api.queues)).toBe(before);
    expect(await api.queues.sentiment.isPaused()).toBe(false);
  });

  test('counts rate limits per API key, not per address', async ({ api }) => {
    const first = api.createKey(['jobs:write']);
    const second = api.createKey(['jobs:write']);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await as(api, first, 'POST', '/v1/jobs/compute', { payload: { n: 1, m: 1 } })).status);
    // A bucket of 2 refilled at 1/s: the first two pass, and (unless the machine
    // takes seconds per request) the rest are refused.
    expect(statuses.slice(0, 2)).toEqual([202, 202]);
    expect(statuses).toContain(429);
    expect((await as(api, second, 'POST', '/v1/jobs/compute', { payload: { n: 1, m: 1 } })).status).toBe(202);
  });
});

const authDisabled = apiTestWith({ authDisabled: true });

describe('AUTH_DISABLED', () => {
  authDisabled('lets every request through without a key', async ({ api }) => {
    expect((await api.request('POST', '/v1/jobs/sentiment', { auth: false, json: { payload: { text: 'open' } } })).status).toBe(202);
    expect((await api.request('POST', '/v1/queues/sentiment/pause', { auth: false })).status).toBe(200);
  });
});

describe('requiredScope', () => {
  it.each([
    ['GET', '/healthz', 'open'],
    ['GET', '/docs/assets/swagger-ui.css', 'open'],
    ['POST', '/v1/jobs/sentiment', 'jobs:write:sentiment'],
    ['POST', '/v1/jobs/page-extract/bulk', 'jobs:write:page-extract'],
    ['POST', '/v1/jobs/nope', 'jobs:write'],
    ['GET', '/v1/jobs/sentiment/42', 'jobs:read'],
    ['GET', '/v1/jobs/sentiment/42/events', 'jobs:read'],
    ['DELETE', '/v1/jobs/sentiment/42', 'admin'],
    ['POST', '/v1/jobs/sentiment/42/retry', 'admin'],
    ['POST', '/v1/queues/compute/resume', 'admin'],
    ['PUT', '/v1/schedules/nightly', 'admin'],
    ['DELETE', '/v1/schedules/nightly', 'admin'],
    ['GET', '/v1/schedules', 'jobs:read'],
    ['GET', '/v1/proxies', 'admin'],
    ['POST', '/v1/proxies/anything', 'jobs:read'],
    ['GET', '/anything-else', 'jobs:read'],
    ['HEAD', '/healthz', 'open'],
    ['POST', '/V1/Jobs/sentiment/', 'jobs:write:sentiment'],
    ['DELETE', '/v1/JOBS/sentiment/42', 'admin'],
    ['PATCH', '/v1/jobs/sentiment', 'jobs:read'],
  ])('%s %s needs %s', (method, path, scope) => {
    expect(requiredScope(method, path)).toBe(scope);
  });
});
