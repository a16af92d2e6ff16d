import { waitFor } from '@floodgate/testkit';
import { Worker } from 'bullmq';
import { describe, expect } from 'vitest';
import { apiTest as test } from '../testing/api-test';

describe('GET /v1/jobs/:type/:id/events (Server-Sent Events)', () => {
  test('streams the state, progress and the final event, then closes', async ({ api }) => {
    const job = await api.queues.compute.first.add('compute', { n: 1, m: 1 });
    const res = await api.request('GET', `/v1/jobs/compute/${job.id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = res.text(); // resolves when the server closes the stream
    const worker = new Worker(
      'compute',
      async (active) => {
        await active.updateProgress(50);
        return { checksum: 'cafe0000', operations: 1, n: 1, m: 1 };
      },
      { connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }), prefix: api.prefix },
    );
    try {
      const text = await reading;
      const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
      expect(events[0]).toBe('state');
      expect(events.at(-1)).toBe('completed');
      // The job view's names, not BullMQ's (returnvalue, failedReason).
      expect(text).toContain('data: {"result":{"checksum":"cafe0000"');
      expect(text).not.toContain('returnvalue');
      // Each event has an id, counting up from 1 on a new stream.
      expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual(events.map((_, i) => i + 1));
      // The stream was watching before its headers arrived, so the progress made after is there.
      expect(events).toContain('progress');
      expect(text).toContain('"progress":50');
    } finally {
      await worker.close();
    }
  });

  test('closes at once for a job that already finished, and 404s an unknown one', async ({ api }) => {
    const failed = await api.queues.sentiment.first.add('sentiment', { text: 'y' }, { attempts: 1 });
    const worker = new Worker(
      'sentiment',
      async () => {
        throw new Error('always fails');
      },
      { connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }), prefix: api.prefix },
    );
    try {
      await waitFor(async () => (await api.queues.sentiment.getJobState(String(failed.id))) === 'failed');
    } finally {
      await worker.close();
    }
    const text = await (await api.request('GET', `/v1/jobs/sentiment/${failed.id}/events`)).text();
    expect(text).toMatch(/event: state[\s\S]*event: failed\ndata: \{"error":"always fails"\}/);
    expect(text).not.toContain('failedReason');
    const missing = await api.request('GET', '/v1/jobs/sentiment/424242/events');
    expect(missing.status).toBe(404);
  });

  test('goes on from Last-Event-ID on a reconnect: ids count on from it, the state now first, then live events', async ({ api }) => {
    const job = await api.queues.compute.first.add('compute', { n: 2, m: 2 });
    const res = await api.request('GET', `/v1/jobs/compute/${job.id}/events`, { headers: { 'last-event-id': '41' } });
    expect(res.status).toBe(200);
    const reading = res.text();
    const worker = new Worker('compute', async () => ({ checksum: 'cafe0001', operations: 4, n: 2, m: 2 }), {
      connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
      prefix: api.prefix,
    });
    try {
      const text = await reading;
      const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      expect(ids[0]).toBe(42);
      expect(ids).toEqual(ids.map((_, i) => 42 + i));
      expect(text).toMatch(/^id: 42\nevent: state\n/m);
      expect(text).toMatch(/event: completed\ndata: \{"result":\{"checksum":"cafe0001"/);
    } finally {
      await worker.close();
    }
    // An id this API never gave (not a whole number) counts from 1, as a new stream does.
    const finished = await (await api.request('GET', `/v1/jobs/compute/${job.id}/events`, { headers: { 'last-event-id': 'abc' } })).text();
    expect(finished).toMatch(/^id: 1\nevent: state\n[\s\S]*^id: 2\nevent: completed\n/m);
  });
});
