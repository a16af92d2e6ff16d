import { Worker } from 'bullmq';
import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import type { ApiHarness } from '../testing/api-harness';
import { apiTest as test } from '../testing/api-test';

/** A bare BullMQ worker that takes compute job `id` and holds it active until released (it listens for no cancel). */
async function holdActive(api: ApiHarness, id: string): Promise<{ release: () => void; worker: Worker }> {
  let release: () => void = () => undefined;
  const worker = new Worker('compute', () => new Promise((resolve) => (release = () => resolve({ checksum: '0', operations: 1, n: 1, m: 1 }))), {
    connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
    prefix: api.prefix,
  });
  try {
    await waitFor(async () => (await api.queues.compute.getJobState(id)) === 'active');
  } catch (err) {
    await worker.close();
    throw err;
  }
  return { release: () => release(), worker };
}

describe('DELETE /v1/jobs/:type/:id', () => {
  test('removes a waiting or delayed job', async ({ api }) => {
    for (const opts of [{}, { delay: 60_000 }]) {
      const job = await api.queues.compute.first.add('compute', { n: 1, m: 1 }, opts);
      const res = await api.request('DELETE', `/v1/jobs/compute/${job.id}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: job.id, state: 'removed' });
      expect(await api.queues.compute.getJob(String(job.id))).toBeUndefined();
    }
  });

  test('asks the workers to cancel an active job (the worker side is tested end to end)', async ({ api }) => {
    const job = await api.queues.compute.first.add('compute', { n: 1, m: 1 });
    const subscriber = api.connection.duplicate({ enableOfflineQueue: true });
    const heard: string[] = [];
    subscriber.on('message', (_channel, message) => heard.push(message));
    await subscriber.subscribe(`${api.prefix}:cancel`);
    const { release, worker } = await holdActive(api, String(job.id));
    try {
      const res = await api.request('DELETE', `/v1/jobs/compute/${job.id}`);
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ state: 'cancelling', receivers: 1 });
      await waitFor(() => heard.length > 0);
      expect(JSON.parse(heard[0] ?? '{}')).toEqual({ type: 'compute', id: job.id });
    } finally {
      release();
      await worker.close();
      subscriber.disconnect();
    }
  });

  test('says 503 cancel_unheard, not 202, when no worker process received the cancel', async ({ api }) => {
    const job = await api.queues.compute.first.add('compute', { n: 1, m: 1 });
    // A worker that runs the job but does not listen for cancels (as a worker whose subscriber is down).
    const { release, worker } = await holdActive(api, String(job.id));
    try {
      const res = await api.request('DELETE', `/v1/jobs/compute/${job.id}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.json()).toMatchObject({ error: { code: 'cancel_unheard', details: { id: job.id, type: 'compute', receivers: 0 } } });
      expect(await api.queues.compute.getJobState(String(job.id))).toBe('active');
    } finally {
      release();
      await worker.close();
    }
  });

  test("says what happened when a waiting job cannot be removed: a schedule's next run is 409 job_scheduled, not cancelling", async ({ api }) => {
    const put = await api.request('PUT', '/v1/schedules/every-hour', { json: { type: 'compute', payload: { n: 1, m: 1 }, everyMs: 3_600_000 } });
    expect(put.status).toBe(200);
    const next = await waitFor(async () => (await api.queues.compute.first.getJobs(['delayed', 'waiting'], 0, -1)).find((job) => job.repeatJobKey === 'every-hour'));
    const res = await api.request('DELETE', `/v1/jobs/compute/${next.id}`);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'job_scheduled', details: { id: next.id, schedule: 'every-hour' } } });
    expect(await api.queues.compute.getJob(String(next.id))).toBeDefined();
    await api.request('DELETE', '/v1/schedules/every-hour');
  });

  test('refuses finished and unknown jobs', async ({ api }) => {
    const job = await api.queues.sentiment.first.add('sentiment', { text: 'done' });
    const worker = new Worker('sentiment', async () => ({ score: 0, comparative: 0, positive: [], negative: [], tokens: 1 }), {
      connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
      prefix: api.prefix,
    });
    try {
      await waitFor(async () => (await api.queues.sentiment.getJobState(String(job.id))) === 'completed');
    } finally {
      await worker.close();
    }
    const finished = await api.request('DELETE', `/v1/jobs/sentiment/${job.id}`);
    expect(finished.status).toBe(409);
    expect(((await finished.json()) as { error: { code: string } }).error.code).toBe('job_finished');
    expect((await api.request('DELETE', '/v1/jobs/sentiment/424242')).status).toBe(404);
  });
});
