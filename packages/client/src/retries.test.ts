import type { ApiHarness } from '@floodgate/api/testing';
import { freePort, waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import { FloodgateClient, FloodgateNetworkError } from './index.js';
import { clientTestWith, type FloodgateJobs } from './test-support/client-test.test.js';
import { recordingFetch } from './test-support/recording-fetch.test.js';
import { rejection } from './test-support/rejection.test.js';
import { storedJobIds } from './test-support/stored-jobs.test.js';

/** The sentiment jobs stored with this text. */
const storedWithText = (api: ApiHarness, text: string) => storedJobIds(api, 'sentiment', (payload) => payload.text === text);

/** Each test's API (an event-loop limit no busy machine reaches), its Redis connection through a fault proxy (`redisLink`); `httpLink` is another, between a client and the API. */
const test = clientTestWith({ faultProxy: true, limits: { maxEventLoopDelayMs: 60_000 } });

/**
 * Retries against the real API, with faults made on real sockets: the API's
 * Redis connection goes through a fault proxy (an outage, a lost reply, a
 * command cut halfway), and so, for the client's own connection, can the HTTP.
 */
describe('FloodgateClient retries', () => {
  test('waits out Retry-After on a 503 while Redis is away, resends with the same key, and stores one job', async ({ api }) => {
    // Redis goes away (killed), and the API notices.
    await api.redis.kill();
    await waitFor(() => api.connection.status !== 'ready' || undefined, { description: "the API's Redis connection down" });
    // Redis comes back once the client has been refused: the fault is healed by what the client met, not by a timer.
    let restarted: Promise<void> | undefined;
    const recorded = recordingFetch(async (exchange) => {
      if (exchange.status === 503) restarted ??= api.redis.restart();
    });
    const client = new FloodgateClient<FloodgateJobs>({ baseUrl: api.url, apiKey: api.apiKey, fetch: recorded.fetch, maxRetries: 8 });

    const job = await client.enqueue('sentiment', { text: 'retried through an outage' });

    const { exchanges } = recorded;
    expect(exchanges[0]).toMatchObject({ method: 'POST', status: 503, code: 'redis_unavailable', retryAfter: '2' });
    expect(exchanges.at(-1)).toMatchObject({ method: 'POST', status: 202 });
    // Every attempt is the same request under the same key, made up by the client (a UUID).
    const keys = new Set(exchanges.map((exchange) => exchange.headers.get('idempotency-key')));
    expect([...keys]).toEqual([expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)]);
    // Each resend came no sooner than the refusal's Retry-After said (a lower bound: a busy machine only adds to it).
    for (const [i, refused] of exchanges.slice(0, -1).entries()) {
      const retryAfterMs = Number(refused.retryAfter) * 1_000;
      expect(exchanges[i + 1]!.sentAt - refused.answeredAt!).toBeGreaterThanOrEqual(retryAfterMs - 5);
    }
    expect(job).toMatchObject({ type: 'sentiment', created: true });
    expect(await storedWithText(api, 'retried through an outage')).toEqual([job.id]);
    await restarted;
  });

  test('resends an enqueue whose answer a connection reset lost, and returns the job it made (one job, created by this call)', async ({ api, recorded, httpLink }) => {
    const client = new FloodgateClient<FloodgateJobs>({ baseUrl: httpLink.url, apiKey: api.apiKey, fetch: recorded.fetch });
    // The request reaches the API in full; the connection is cut as the answer starts back.
    const cut = httpLink.loseReplyTo('answer lost on the way back');

    const job = await client.enqueue('sentiment', { text: 'answer lost on the way back' });
    await cut;

    const [lost, resent] = recorded.exchanges;
    expect(recorded.exchanges).toHaveLength(2);
    expect(lost?.failure).toBeInstanceOf(Error);
    // The API said "you sent this key before" (200), and the client knows it was itself.
    expect(resent).toMatchObject({ method: 'POST', status: 200 });
    expect(resent?.headers.get('idempotency-key')).toBe(lost?.headers.get('idempotency-key'));
    expect(job.created).toBe(true);
    expect(await storedWithText(api, 'answer lost on the way back')).toEqual([job.id]);
  });

  test('settles a 503 enqueue_outcome_unknown by reading the job it names: it exists, so nothing is sent again', async ({ api, recorded, redisLink }) => {
    const client = new FloodgateClient<FloodgateJobs>({ baseUrl: api.url, apiKey: api.apiKey, fetch: recorded.fetch, maxRetries: 4 });
    // The add reaches Redis and runs; its reply is lost with the API's connection.
    const cut = redisLink.loseReplyTo('stored, reply lost');

    const job = await client.enqueue('sentiment', { text: 'stored, reply lost' });
    await cut;

    const [unknown, lookup] = recorded.exchanges;
    expect(unknown).toMatchObject({ method: 'POST', status: 503, code: 'enqueue_outcome_unknown' });
    expect(lookup).toMatchObject({ method: 'GET', url: `${api.url}/v1/jobs/sentiment/${job.id}`, status: 200 });
    expect(recorded.exchanges).toHaveLength(2);
    expect(job).toEqual({ id: job.id, type: 'sentiment', state: expect.any(String), links: { self: `/v1/jobs/sentiment/${job.id}` }, created: true });
    expect(await storedWithText(api, 'stored, reply lost')).toEqual([job.id]);
  });

  test('settles a 503 enqueue_outcome_unknown whose add never ran: the lookup is a 404, and the enqueue is sent again', async ({ api, recorded, redisLink }) => {
    const client = new FloodgateClient<FloodgateJobs>({ baseUrl: api.url, apiKey: api.apiKey, fetch: recorded.fetch, maxRetries: 4 });
    // The add is cut halfway: Redis never ran it, and the API cannot know.
    const cut = redisLink.dropAfterClientBytes(4, { after: 'cut before it ran' });

    const job = await client.enqueue('sentiment', { text: 'cut before it ran' });
    await cut;

    const methods = recorded.exchanges.map((exchange) => `${exchange.method} ${exchange.status ?? exchange.code}`);
    expect(methods).toEqual(['POST 503', 'GET 404', 'POST 202']);
    expect(recorded.exchanges[0]?.code).toBe('enqueue_outcome_unknown');
    expect(new Set(recorded.exchanges.filter((e) => e.method === 'POST').map((e) => e.headers.get('idempotency-key'))).size).toBe(1);
    expect(job.created).toBe(true);
    expect(await storedWithText(api, 'cut before it ran')).toEqual([job.id]);
  });

  test('does not resend a bulk enqueue without jobIds whose answer was lost (it may have stored every item), and does with them', async ({ api, recorded, httpLink }) => {
    const client = new FloodgateClient<FloodgateJobs>({ baseUrl: httpLink.url, apiKey: api.apiKey, fetch: recorded.fetch });
    const items = (tag: string) => [1, 2, 3].map((i) => ({ payload: { text: `${tag} ${i}` } }));

    let cut = httpLink.loseReplyTo('bulk without ids');
    expect(await rejection(client.enqueueBulk('sentiment', items('bulk without ids')))).toBeInstanceOf(FloodgateNetworkError);
    await cut;
    expect(recorded.exchanges).toHaveLength(1);
    expect(await storedJobIds(api, 'sentiment', (payload) => String(payload.text).startsWith('bulk without ids'))).toHaveLength(3);

    cut = httpLink.loseReplyTo('bulk with ids');
    const answer = await client.enqueueBulk(
      'sentiment',
      items('bulk with ids').map((item, i) => ({ ...item, jobId: `client-bulk-${i}` })),
    );
    await cut;
    expect(recorded.exchanges).toHaveLength(3);
    // Found, not added again: their own ids made the resend safe.
    expect(answer).toMatchObject({ status: 'all', count: 3, jobs: [{ created: false }, { created: false }, { created: false }] });
    expect(await storedJobIds(api, 'sentiment', (payload) => String(payload.text).startsWith('bulk with ids'))).toHaveLength(3);
  });

  test('resends even a request that must not run twice when the connection was refused: it never left', async ({ recorded }) => {
    const client = new FloodgateClient<FloodgateJobs>({ baseUrl: `http://127.0.0.1:${await freePort()}`, fetch: recorded.fetch, maxRetries: 2 });
    const err = await rejection(client.enqueueBulk('sentiment', [{ payload: { text: 'nowhere' } }]));
    expect(err).toMatchObject({ name: 'FloodgateNetworkError', code: 'ECONNREFUSED' });
    expect(recorded.exchanges).toHaveLength(3);
  });

  test('makes one attempt with maxRetries 0', async ({ recorded }) => {
    const client = new FloodgateClient<FloodgateJobs>({ baseUrl: `http://127.0.0.1:${await freePort()}`, fetch: recorded.fetch, maxRetries: 0 });
    expect(await rejection(client.get('sentiment', 'x'))).toBeInstanceOf(FloodgateNetworkError);
    expect(recorded.exchanges).toHaveLength(1);
  });
});
