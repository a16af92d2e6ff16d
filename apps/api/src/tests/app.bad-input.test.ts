import { describe, expect } from 'vitest';
import { totalJobs, type ApiHarness } from '../testing/api-harness';
import { apiTestWith } from '../testing/api-test';

/**
 * Every kind of wrong request the issue lists, against the real API: each one
 * gets its 4xx and the JSON error, nothing is enqueued, and the process stays
 * healthy. `body` is sent as is (a string) or as JSON (anything else).
 */
interface BadRequest {
  name: string;
  method?: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const pageExtract = (url: string): Omit<BadRequest, 'name'> => ({
  path: '/v1/jobs/page-extract',
  body: { payload: { url } },
  status: 422,
  code: 'invalid_payload',
});
const withOptions = (options: unknown): Omit<BadRequest, 'name'> => ({
  path: '/v1/jobs/sentiment',
  body: { payload: { text: 'fine' }, options },
  status: 422,
  code: 'invalid_payload',
});

const CASES: BadRequest[] = [
  // The body itself.
  { name: 'malformed JSON', path: '/v1/jobs/sentiment', body: '{"payload": {"text": "x"', status: 400, code: 'invalid_json' },
  { name: 'JSON that is not an object', path: '/v1/jobs/sentiment', body: '"just a string"', status: 400, code: 'invalid_json' },
  { name: 'a wrong content type', path: '/v1/jobs/sentiment', body: '{"payload":{"text":"x"}}', headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
  { name: 'form encoding', path: '/v1/jobs/sentiment', body: 'payload=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
  { name: 'an empty body', path: '/v1/jobs/sentiment', body: '', status: 422, code: 'invalid_payload' },
  { name: 'a body over the limit', path: '/v1/jobs/sentiment', body: { payload: { text: 'x'.repeat(40_000) } }, status: 413, code: 'body_too_large' },
  { name: 'JSON nested past the depth limit', path: '/v1/jobs/sentiment', body: `{"payload":${deep(40)}}`, status: 400, code: 'json_too_deep' },
  { name: 'deep nesting in a bulk body', path: '/v1/jobs/sentiment/bulk', body: `{"jobs":[${deep(40)}]}`, status: 400, code: 'json_too_deep' },
  { name: 'an unsupported charset', path: '/v1/jobs/sentiment', body: '{"payload":{"text":"x"}}', headers: { 'content-type': 'application/json; charset=latin1' }, status: 415, code: 'unsupported_charset' },
  // Prototype pollution attempts: refused as unknown keys, and nothing is polluted (checked below).
  { name: '__proto__ in the payload', path: '/v1/jobs/sentiment', body: '{"payload":{"text":"x","__proto__":{"polluted":true}}}', status: 422, code: 'invalid_payload' },
  { name: '__proto__ at the top level', path: '/v1/jobs/sentiment', body: '{"payload":{"text":"x"},"__proto__":{"polluted":true}}', status: 422, code: 'invalid_payload' },
  { name: 'constructor.prototype in the payload', path: '/v1/jobs/sentiment', body: '{"payload":{"text":"x","constructor":{"prototype":{"polluted":true}}}}', status: 422, code: 'invalid_payload' },
  { name: '__proto__ in options', path: '/v1/jobs/sentiment', body: '{"payload":{"text":"x"},"options":{"__proto__":{"attempts":99}}}', status: 422, code: 'invalid_payload' },
  { name: '__proto__ in a schedule', method: 'PUT', path: '/v1/schedules/pollute', body: '{"type":"sentiment","payload":{"text":"x"},"everyMs":60000,"__proto__":{"polluted":true}}', status: 422, code: 'invalid_payload' },
  // Wrong types and sizes in payloads.
  { name: 'a number for a string', path: '/v1/jobs/sentiment', body: { payload: { text: 42 } }, status: 422, code: 'invalid_payload' },
  { name: 'an empty string', path: '/v1/jobs/sentiment', body: { payload: { text: '' } }, status: 422, code: 'invalid_payload' },
  { name: 'an oversized string', path: '/v1/jobs/sentiment', body: { payload: { text: 'x'.repeat(20_001) } }, status: 422, code: 'invalid_payload' },
  { name: 'a missing payload', path: '/v1/jobs/sentiment', body: { text: 'x' }, status: 422, code: 'invalid_payload' },
  { name: 'an array for an object', path: '/v1/jobs/compute', body: { payload: [1, 2] }, status: 422, code: 'invalid_payload' },
  { name: 'a fractional integer', path: '/v1/jobs/compute', body: { payload: { n: 1.5, m: 1 } }, status: 422, code: 'invalid_payload' },
  { name: 'work over the compute cap', path: '/v1/jobs/compute', body: { payload: { n: 10_000, m: 1_000_000 } }, status: 422, code: 'invalid_payload' },
  { name: 'an unknown job type', path: '/v1/jobs/mine-bitcoin', body: { payload: {} }, status: 404, code: 'unknown_job_type' },
  // Job ids in paths.
  { name: 'path traversal in a job id', method: 'GET', path: '/v1/jobs/sentiment/..%2F..%2Fetc%2Fpasswd', status: 400, code: 'invalid_job_id' },
  { name: 'a very long job id', method: 'GET', path: `/v1/jobs/sentiment/${'a'.repeat(300)}`, status: 400, code: 'invalid_job_id' },
  { name: 'odd unicode in a job id', method: 'GET', path: '/v1/jobs/sentiment/%F0%9F%92%A5%E2%80%AE', status: 400, code: 'invalid_job_id' },
  { name: 'a NUL byte in a job id', method: 'DELETE', path: '/v1/jobs/sentiment/abc%00def', status: 400, code: 'invalid_job_id' },
  { name: 'a job id of spaces', method: 'POST', path: '/v1/jobs/sentiment/%20%20/retry', status: 400, code: 'invalid_job_id' },
  { name: 'a bad jobId in the body', path: '/v1/jobs/sentiment', body: { jobId: '../x', payload: { text: 'x' } }, status: 422, code: 'invalid_payload' },
  { name: 'a bad Idempotency-Key', path: '/v1/jobs/sentiment', body: { payload: { text: 'x' } }, headers: { 'idempotency-key': 'a b' }, status: 400, code: 'invalid_idempotency_key' },
  // Options out of range.
  { name: 'a negative delay', ...withOptions({ delayMs: -1 }) },
  { name: 'a "NaN" delay', ...withOptions({ delayMs: 'NaN' }) },
  { name: 'a huge delay', ...withOptions({ delayMs: 1e20 }) },
  { name: 'a negative priority', ...withOptions({ priority: -5 }) },
  { name: 'a huge priority', ...withOptions({ priority: 2 ** 40 }) },
  { name: 'zero attempts', ...withOptions({ attempts: 0 }) },
  { name: 'a huge number of attempts', ...withOptions({ attempts: 1e6 }) },
  { name: 'a string for attempts', ...withOptions({ attempts: '3' }) },
  { name: 'a timeout above the type’s', ...withOptions({ timeoutMs: 10 ** 9 }) },
  { name: 'a literal NaN (not JSON)', path: '/v1/jobs/sentiment', body: '{"payload":{"text":"x"},"options":{"delayMs":NaN}}', status: 400, code: 'invalid_json' },
  { name: 'a wait out of range', method: 'GET', path: '/v1/jobs/sentiment/1?wait=-1', status: 400, code: 'invalid_query' },
  { name: 'an unknown query', method: 'GET', path: '/v1/jobs/sentiment?state=failed&drop=tables', status: 400, code: 'invalid_query' },
  // Bulk.
  { name: 'a bulk request over its item limit', path: '/v1/jobs/sentiment/bulk', body: { jobs: Array.from({ length: 6 }, () => ({ payload: { text: 'x' } })) }, status: 422, code: 'too_many_jobs' },
  { name: 'an empty bulk request', path: '/v1/jobs/sentiment/bulk', body: { jobs: [] }, status: 422, code: 'invalid_payload' },
  { name: 'one bad item in a bulk request', path: '/v1/jobs/sentiment/bulk', body: { jobs: [{ payload: { text: 'ok' } }, { payload: { text: 7 } }] }, status: 422, code: 'invalid_payload' },
  // page-extract targets, SSRF protection on (the default).
  { name: 'a file: URL', ...pageExtract('file:///etc/passwd') },
  { name: 'a data: URL', ...pageExtract('data:text/html,<h1>hi</h1>') },
  { name: 'a javascript: URL', ...pageExtract('javascript:alert(1)') },
  { name: 'a loopback address', ...pageExtract('http://127.0.0.1:6379/') },
  { name: 'an IPv6 loopback address', ...pageExtract('http://[::1]/') },
  { name: 'a private address', ...pageExtract('http://10.0.0.8/admin') },
  { name: 'a link-local address', ...pageExtract('http://169.254.10.1/') },
  { name: 'the cloud metadata service', ...pageExtract('http://169.254.169.254/latest/meta-data/') },
  { name: 'an IPv4-mapped IPv6 loopback', ...pageExtract('http://[::ffff:127.0.0.1]/') },
  { name: 'localhost by name', ...pageExtract('http://localhost:3000/') },
  { name: 'credentials in the URL', ...pageExtract('https://user:secret@example.com/') },
  { name: 'a service port', ...pageExtract('http://example.com:22/') },
  { name: 'a loopback target in bulk', path: '/v1/jobs/page-extract/bulk', body: { jobs: [{ payload: { url: 'https://example.com/' } }, { payload: { url: 'http://127.0.0.1/' } }] }, status: 422, code: 'invalid_payload' },
  { name: 'a loopback target in a schedule', method: 'PUT', path: '/v1/schedules/probe', body: { type: 'page-extract', payload: { url: 'http://127.0.0.1/' }, everyMs: 60_000 }, status: 422, code: 'invalid_payload' },
];

const test = apiTestWith({ bodyLimitBytes: 32_768, bulkMaxJobs: 5 });

const send = (api: ApiHarness, bad: BadRequest) =>
  api.request(bad.method ?? 'POST', bad.path, {
    ...(typeof bad.body === 'string' ? { body: bad.body, headers: { 'content-type': 'application/json', ...bad.headers } } : {}),
    ...(bad.body !== undefined && typeof bad.body !== 'string' ? { json: bad.body, headers: bad.headers ?? {} } : {}),
    ...(bad.body === undefined ? { headers: bad.headers ?? {} } : {}),
  });

describe('bad input', () => {
  test.for(CASES)('$name → $status $code, nothing enqueued', async (bad, { api }) => {
    const before = await totalJobs(api.queues);
    const res = await send(api, bad);
    expect(res.status).toBe(bad.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(bad.code);
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at |node_modules/); // no stack trace
    expect(await totalJobs(api.queues)).toBe(before);
    expect((await api.queues.sentiment.first.getJobSchedulers(0, -1)).length).toBe(0);
  });

  test('is still healthy after every one of them, with nothing polluted', async ({ api }) => {
    // Its own API takes every bad request first: the check does not lean on the tests above having run.
    for (const bad of CASES) expect((await send(api, bad)).status, bad.name).toBe(bad.status);
    expect((await api.request('GET', '/healthz')).status).toBe(200);
    expect((await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'still fine' } } })).status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).attempts).toBeUndefined();
  });
});

const withoutSsrfProtection = apiTestWith({ allowPrivateNetworks: true });

describe('page-extract targets with SSRF protection off (local development)', () => {
  withoutSsrfProtection('accepts a loopback URL, which the default refuses', async ({ api }) => {
    const res = await api.request('POST', '/v1/jobs/page-extract', { json: { payload: { url: 'http://127.0.0.1:8080/' } } });
    expect(res.status).toBe(202);
    // Schemes stay refused either way.
    expect((await api.request('POST', '/v1/jobs/page-extract', { json: { payload: { url: 'file:///etc/passwd' } } })).status).toBe(422);
  });
});
