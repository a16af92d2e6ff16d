import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, waitFor } from '@floodgate/testkit';
import { defineHandler } from '@floodgate/worker/runtime';
import { describe, expect } from 'vitest';
import { failureCodeOf, FloodgateApiError, FloodgateClient, FloodgateNetworkError, JobFailedError, type ValidationIssue } from './index.js';
import { clientTestWith, workersRunning, type FloodgateJobs, type Workers } from './test-support/client-test.test.js';
import { apiError, rejection } from './test-support/rejection.test.js';

/** What the test's compute handler does, chosen by the payload's `n`. */
const COMPUTE = {
  /** Completes at once. */
  quick: 1,
  /** Fails its first run (`flaky_test: ...`), completes when retried. */
  failsFirstRun: 13,
  /** Runs until its signal aborts: a cancel or its attempt timeout. */
  runsUntilAborted: 99,
} as const;

/** A tiny word list: enough for results that say which text they came from. */
const WORD_SCORES: Record<string, number> = { great: 3, happy: 3, awful: -3 };

const sentimentHandler = defineHandler('sentiment', async ({ text }) => {
  const tokens = text.toLowerCase().split(/\W+/).filter(Boolean);
  const score = tokens.reduce((sum, token) => sum + (WORD_SCORES[token] ?? 0), 0);
  return {
    score,
    comparative: tokens.length === 0 ? 0 : score / tokens.length,
    positive: tokens.filter((token) => (WORD_SCORES[token] ?? 0) > 0),
    negative: tokens.filter((token) => (WORD_SCORES[token] ?? 0) < 0),
    tokens: tokens.length,
  };
});

/** The compute handler, made for one test: the jobs that failed their first run are its own. */
function computeHandler() {
  const failedOnce = new Set<string>();
  return defineHandler('compute', async ({ n, m }, ctx) => {
    if (n === COMPUTE.failsFirstRun && !failedOnce.has(ctx.jobId)) {
      failedOnce.add(ctx.jobId);
      throw new Error('flaky_test: the first run of this job fails');
    }
    if (n === COMPUTE.runsUntilAborted) {
      await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
    }
    return { checksum: 'feedbeef', operations: n * m, n, m };
  });
}

/** Stands in for what may sit between a client and the API: a proxy's error page, or a peer that never answers. */
interface StandIn {
  url: string;
  /** The headers of each request it received, in order. */
  received: IncomingHttpHeaders[];
}

/**
 * Each test's API (no page-extract job may wait: its enqueues show a 429 with
 * Retry-After) and client; `workers` running the handlers above on it, for the
 * tests whose jobs must run; `standIn`, a server of its own, for the tests of
 * what is not floodgate.
 */
const test = clientTestWith({ limits: { backlogCap: { 'page-extract': 0 } } }).extend<{ workers: Workers; standIn: StandIn }>({
  workers: workersRunning(() => ({ sentiment: sentimentHandler, compute: computeHandler() })),
  // eslint-disable-next-line no-empty-pattern
  standIn: async ({}, use) => {
    const received: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      received.push(req.headers);
      if (req.url === '/v1/jobs/sentiment/never-answers') return;
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await use({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  },
});

describe('FloodgateClient against the real API', () => {
  test('enqueues a job and reads it back with its typed result', async ({ client, workers: _workers }) => {
    const job = await client.enqueue('sentiment', { text: 'A great day' });
    expect(job).toEqual({ id: job.id, type: 'sentiment', state: 'waiting', links: { self: `/v1/jobs/sentiment/${job.id}` }, created: true });
    const done = await client.get('sentiment', job.id, { waitSeconds: 5 });
    expect(done).toMatchObject({ id: job.id, type: 'sentiment', state: 'completed', attempts: 1, error: null });
    expect(done.result?.positive).toEqual(['great']);
    expect(done.finishedAt).toEqual(expect.any(String));
  });

  test('says which state a new job starts in', async ({ client }) => {
    expect((await client.enqueue('compute', { n: COMPUTE.quick, m: 2 }, { delayMs: 60_000 })).state).toBe('delayed');
    expect((await client.enqueue('compute', { n: COMPUTE.quick, m: 3 }, { priority: 5 })).state).toBe('prioritized');
  });

  test('enqueues in bulk and returns the ids in the order given', async ({ client, workers: _workers }) => {
    const texts = ['great', 'awful', 'happy happy', 'nothing much'];
    const answer = await client.enqueueBulk(
      'sentiment',
      texts.map((text) => ({ payload: { text } })),
    );
    expect(answer).toMatchObject({ status: 'all', count: texts.length });
    const ids = answer.jobs.map((job) => String(job.id));
    expect(ids).toHaveLength(texts.length);
    expect(new Set(ids).size).toBe(texts.length);
    const scores = await Promise.all(ids.map(async (id) => (await client.get('sentiment', id, { waitSeconds: 5 })).result?.score));
    expect(scores).toEqual([3, -3, 6, 0]);
    expect((await client.enqueueBulk('sentiment', [])).jobs).toEqual([]);
  });

  test('refuses a bulk request with one bad item, naming its index', async ({ client }) => {
    const err = await apiError(client.enqueueBulk('sentiment', [{ payload: { text: 'fine' } }, { payload: { text: '' } }]), 'invalid_payload');
    expect(err.status).toBe(422);
    expect((err.details as { issues: ValidationIssue[] }).issues.map((issue) => issue.path)).toEqual(['jobs.1.payload.text']);
  });

  test('enqueues and waits: the finished job with its typed result', async ({ client, workers: _workers }) => {
    const job = await client.enqueueAndWait('sentiment', { text: 'happy and great' }, { waitSeconds: 5 });
    expect(job.state).toBe('completed');
    expect(job.result).toEqual({ score: 6, comparative: 2, positive: ['happy', 'great'], negative: [], tokens: 3 });
  });

  test('returns a job that failed as it is: state failed, with the reason and its code', async ({ client, workers: _workers }) => {
    const job = await client.enqueueAndWait('compute', { n: COMPUTE.runsUntilAborted, m: 1 }, { timeoutMs: 100, attempts: 1, waitSeconds: 5 });
    expect(job.state).toBe('failed');
    expect(job.result).toBeNull();
    expect(job.error).toMatch(/^job_timeout: /);
    expect(failureCodeOf(job.error)).toBe('job_timeout');
  });

  test('throws JobFailedError with throwOnFailure; retry runs the failed job again', async ({ client, workers: _workers }) => {
    const err = await rejection(client.enqueueAndWait('compute', { n: COMPUTE.failsFirstRun, m: 1 }, { attempts: 1, waitSeconds: 5, throwOnFailure: true }));
    expect(err).toBeInstanceOf(JobFailedError);
    const failed = (err as JobFailedError<FloodgateJobs, 'compute'>).job;
    expect((err as JobFailedError).failureCode).toBe('flaky_test');
    expect(failed).toMatchObject({ type: 'compute', state: 'failed', error: 'flaky_test: the first run of this job fails' });

    // The state right after the retry: a worker may already have picked it up.
    expect(await client.retry('compute', failed.id)).toEqual({
      id: failed.id,
      type: 'compute',
      state: expect.stringMatching(/^(waiting|active|completed)$/),
      links: { self: `/v1/jobs/compute/${failed.id}` },
    });
    const again = await client.get('compute', failed.id, { waitSeconds: 5, throwOnFailure: true });
    expect(again.state).toBe('completed');
    expect(again.result).toMatchObject({ n: COMPUTE.failsFirstRun, m: 1 });
  });

  test('refuses to retry a job that did not fail: 409 job_not_failed', async ({ client, workers: _workers }) => {
    const job = await client.enqueueAndWait('sentiment', { text: 'fine' }, { waitSeconds: 5 });
    expect(job.state).toBe('completed');
    const err = await apiError(client.retry('sentiment', job.id), 'job_not_failed');
    expect(err.status).toBe(409);
    expect(err.message).toContain('completed');
  });

  test('gives the same job for a repeated idempotency key, and a 409 for another payload under it', async ({ client }) => {
    const first = await client.enqueue('sentiment', { text: 'once only' }, { idempotencyKey: 'client-test-order-1' });
    expect(first.created).toBe(true);
    // The repeat is answered 200 with the job's whole view; the client returns the same shape as for a new job.
    const again = await client.enqueue('sentiment', { text: 'once only' }, { idempotencyKey: 'client-test-order-1' });
    expect(again).toEqual({ id: first.id, type: 'sentiment', state: expect.any(String), links: first.links, created: false });

    const err = await apiError(client.enqueue('sentiment', { text: 'something else' }, { idempotencyKey: 'client-test-order-1' }), 'idempotency_conflict');
    expect(err).toBeInstanceOf(FloodgateApiError);
    expect(err.status).toBe(409);
    expect(err.details).toEqual({ id: first.id });
    expect(err.requestId).toEqual(expect.any(String));
    expect(err.retryAfterSeconds).toBeUndefined();
  });

  test('takes a jobId of the caller as the job id, deduplicating like a key', async ({ client }) => {
    const first = await client.enqueue('compute', { n: COMPUTE.quick, m: 4 }, { jobId: 'client-test-invoice-7', delayMs: 60_000 });
    expect(first).toMatchObject({ id: 'client-test-invoice-7', state: 'delayed', created: true });
    // The repeat must carry the same options: the dedup digest covers payload and options alike.
    expect(await client.enqueue('compute', { n: COMPUTE.quick, m: 4 }, { jobId: 'client-test-invoice-7', delayMs: 60_000 })).toMatchObject({
      id: 'client-test-invoice-7',
      state: 'delayed',
      created: false,
    });
  });

  test('waits for the job an idempotency key found, in the one call', async ({ api, client }) => {
    const sent: string[] = [];
    const recording = new FloodgateClient<FloodgateJobs>({
      baseUrl: api.url,
      apiKey: api.apiKey,
      fetch: (input, init) => {
        sent.push(`${init?.method ?? 'GET'} ${String(input)}`);
        return fetch(input, init);
      },
    });
    const payload = { n: COMPUTE.quick, m: 5 };
    const delayed = await client.enqueue('compute', payload, { idempotencyKey: 'client-test-later', delayMs: 60_000 });
    const job = await recording.enqueueAndWait('compute', payload, { idempotencyKey: 'client-test-later', delayMs: 60_000, waitSeconds: 1 });
    expect(job).toMatchObject({ id: delayed.id, state: 'delayed' });
    expect(sent).toEqual([`POST ${api.url}/v1/jobs/compute?wait=1`]);
  });

  test('reports a missing key as 401 unauthorized and a missing scope as 403 forbidden', async ({ api }) => {
    const anonymous = new FloodgateClient<FloodgateJobs>({ baseUrl: api.url });
    expect((await apiError(anonymous.enqueue('sentiment', { text: 'hi' }), 'unauthorized')).status).toBe(401);
    const reader = new FloodgateClient<FloodgateJobs>({ baseUrl: api.url, apiKey: api.createKey(['jobs:read']) });
    const denied = await apiError(reader.enqueue('sentiment', { text: 'hi' }), 'forbidden');
    expect(denied.details).toMatchObject({ required: 'jobs:write:sentiment' });
  });

  test('reports an invalid payload or option as 422 invalid_payload, with each issue', async ({ client }) => {
    const payload = await apiError(client.enqueue('sentiment', { text: '' }), 'invalid_payload');
    expect(payload.status).toBe(422);
    expect((payload.details as { issues: ValidationIssue[] }).issues).toEqual([expect.objectContaining({ path: 'payload.text', code: 'too_small' })]);
    const option = await apiError(client.enqueue('sentiment', { text: 'ok' }, { priority: 0 }), 'invalid_payload');
    expect((option.details as { issues: ValidationIssue[] }).issues.map((issue) => issue.path)).toEqual(['options.priority']);
  });

  test('reports an unknown job id as 404 job_not_found, on every call that names one', async ({ client }) => {
    const calls = [() => client.get('sentiment', 'no-such-job'), () => client.cancel('sentiment', 'no-such-job'), () => client.retry('sentiment', 'no-such-job')];
    for (const call of calls) {
      const err = await apiError(call(), 'job_not_found');
      expect(err.status).toBe(404);
      expect(err.message).toContain('no-such-job');
    }
  });

  test('removes a delayed job when cancelled', async ({ client }) => {
    const job = await client.enqueue('compute', { n: COMPUTE.quick, m: 6 }, { delayMs: 60_000 });
    expect(await client.cancel('compute', job.id)).toEqual({ id: job.id, type: 'compute', state: 'removed', links: job.links });
    await apiError(client.get('compute', job.id), 'job_not_found');
  });

  test('cancels an active job through its worker: cancelling, then failed with cancelled', async ({ client, workers: _workers }) => {
    const job = await client.enqueue('compute', { n: COMPUTE.runsUntilAborted, m: 2 });
    await waitFor(async () => (await client.get('compute', job.id)).state === 'active', { description: 'the long job to start' });
    expect(await client.cancel('compute', job.id)).toMatchObject({ id: job.id, state: 'cancelling' });
    const cancelled = await client.get('compute', job.id, { waitSeconds: 5 });
    expect(cancelled.state).toBe('failed');
    expect(cancelled.error).toMatch(/^cancelled/);
    expect(failureCodeOf(cancelled.error)).toBe('cancelled');
    // Not retried, and finished: nothing left to cancel.
    expect(cancelled.attempts).toBe(1);
    expect((await apiError(client.cancel('compute', job.id), 'job_finished')).status).toBe(409);
  });

  test('carries Retry-After and details when admission refuses a job', async ({ client }) => {
    // maxRetries 0: the client would otherwise wait out the Retry-After and try again.
    const err = await apiError(client.enqueue('page-extract', { url: 'https://example.com/' }, { maxRetries: 0 }), 'queue_full');
    expect(err.status).toBe(429);
    expect(err.retryAfterSeconds).toBe(5);
    expect(err.details).toEqual({ backlog: 0, cap: 0 });
  });

  test("lists a type's tenants, and pauses and resumes one, with a job's group carried", async ({ api, client }) => {
    const job = await client.enqueue('sentiment', { text: 'for a customer' }, { group: 'customer-7', delayMs: 60_000 });
    expect((await api.queues.sentiment.getJob(job.id))?.opts).toMatchObject({ group: 'customer-7' });
    const page = await client.listTenants('sentiment', { limit: 5 });
    const tenant = page.tenants.find((t) => t.backlog > 0)?.tenant ?? '';
    expect(tenant).toMatch(/^key:/);
    expect(await client.pauseTenant('sentiment', tenant)).toEqual({ type: 'sentiment', tenant, paused: true });
    expect((await client.listTenants('sentiment')).tenants.find((t) => t.tenant === tenant)?.paused).toBe(true);
    expect(await client.resumeTenant('sentiment', tenant)).toEqual({ type: 'sentiment', tenant, paused: false });
    await client.cancel('sentiment', job.id);
  });

  test('refuses a wait out of range before sending anything', async ({ api }) => {
    const sent: string[] = [];
    const recording = new FloodgateClient<FloodgateJobs>({
      baseUrl: api.url,
      apiKey: api.apiKey,
      fetch: (input, init) => {
        sent.push(String(input));
        return fetch(input, init);
      },
    });
    expect(await rejection(recording.enqueueAndWait('sentiment', { text: 'x' }, { waitSeconds: 0 }))).toBeInstanceOf(RangeError);
    expect(await rejection(recording.enqueueAndWait('sentiment', { text: 'x' }, { waitSeconds: 31 }))).toBeInstanceOf(RangeError);
    expect(await rejection(recording.get('sentiment', '1', { waitSeconds: 2.5 }))).toBeInstanceOf(RangeError);
    expect(sent).toEqual([]);
  });
});

describe('FloodgateClient when floodgate is not what answers', () => {
  test('throws FloodgateNetworkError with the cause when nothing listens (retries off)', async () => {
    const client = new FloodgateClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, maxRetries: 0 });
    const err = await rejection(client.enqueue('sentiment', { text: 'hello' }));
    expect(err).toBeInstanceOf(FloodgateNetworkError);
    expect(err).toMatchObject({ method: 'POST', timedOut: false, status: undefined, code: 'ECONNREFUSED' });
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  test('throws FloodgateNetworkError, not a JSON parse error, for an answer that is not floodgate JSON, once resends ran out', async ({ standIn }) => {
    const client = new FloodgateClient({ baseUrl: standIn.url, maxRetries: 1 });
    const err = await rejection(client.enqueue('sentiment', { text: 'hello' }));
    // A proxy's 502 may pass: the keyed enqueue was sent again, with the same key.
    const keys = standIn.received.map((headers) => headers['idempotency-key']);
    expect(keys).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), keys[0]]);
    expect(err).toBeInstanceOf(FloodgateNetworkError);
    expect(err).toMatchObject({ status: 502, timedOut: false, body: expect.stringContaining('502 Bad Gateway') });
    expect((err as Error).message).toContain('text/html');
  });

  test('throws FloodgateNetworkError when the request times out', async ({ standIn }) => {
    const client = new FloodgateClient({ baseUrl: standIn.url, requestTimeoutMs: 200, maxRetries: 0 });
    const err = await rejection(client.get('sentiment', 'never-answers'));
    expect(err).toBeInstanceOf(FloodgateNetworkError);
    expect(err).toMatchObject({ timedOut: true, method: 'GET', url: `${standIn.url}/v1/jobs/sentiment/never-answers` });
  });

  test("rejects with the caller's own abort reason when the caller's signal aborts", async ({ standIn }) => {
    const client = new FloodgateClient({ baseUrl: standIn.url });
    const controller = new AbortController();
    const call = client.get('sentiment', 'never-answers', { signal: controller.signal });
    await waitFor(() => standIn.received.length > 0, { description: 'the request to arrive' });
    const reason = new Error('the caller gave up');
    controller.abort(reason);
    expect(await rejection(call)).toBe(reason);
  });

  test('sends the API key as a bearer token, and the caller\'s headers, only when given', async ({ standIn }) => {
    await rejection(new FloodgateClient({ baseUrl: standIn.url, apiKey: 'k-123', headers: { 'user-agent': 'client-test' }, maxRetries: 0 }).get('sentiment', '1'));
    await rejection(new FloodgateClient({ baseUrl: standIn.url, maxRetries: 0 }).get('sentiment', '1'));
    const [withKey, without] = standIn.received;
    expect(withKey).toMatchObject({ authorization: 'Bearer k-123', 'user-agent': 'client-test', accept: 'application/json' });
    expect(without?.authorization).toBeUndefined();
  });
});
