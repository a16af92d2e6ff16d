import { waitFor } from '@floodgate/testkit';
import { Worker } from 'bullmq';
import { describe, expect, test as base } from 'vitest';
import { eventsSubscribed, startApi, type ApiHarness } from '../testing/api-harness';
import { apiTest as test } from '../testing/api-test';

interface View {
  id: string;
  state: string;
  result: unknown;
  error: string | null;
}

describe('waiting for a result (?wait=)', () => {
  const startWorker = (api: ApiHarness) =>
    new Worker(
      'compute',
      async (job) => {
        if ((job.data as { n: number }).n === 13) throw new Error('unlucky');
        return { checksum: 'feedbeef', operations: 1, n: 1, m: 1 };
      },
      { connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }), prefix: api.prefix },
    );

  /** Runs `check` while a compute worker runs, started once the API's events subscriber reads. */
  const whileWorkerRuns = async (api: ApiHarness, check: () => Promise<void>) => {
    await eventsSubscribed(api);
    const worker = startWorker(api);
    try {
      await check();
    } finally {
      await worker.close();
    }
  };

  test('GET ?wait= holds the answer until the job completes or fails', async ({ api }) => {
    const ok = await api.queues.compute.first.add('compute', { n: 1, m: 1 });
    const bad = await api.queues.compute.first.add('compute', { n: 13, m: 1 }, { attempts: 1 });
    const waitingOk = api.request('GET', `/v1/jobs/compute/${ok.id}?wait=20`);
    const waitingBad = api.request('GET', `/v1/jobs/compute/${bad.id}?wait=20`);
    await whileWorkerRuns(api, async () => {
      const okView = (await (await waitingOk).json()) as View;
      expect(okView).toMatchObject({ state: 'completed', result: { checksum: 'feedbeef' } });
      const badView = (await (await waitingBad).json()) as View;
      expect(badView).toMatchObject({ state: 'failed', error: 'unlucky' });
    });
  });

  test('tells how a job ended even when retention removed it before the waiter read it again', async ({ api }) => {
    const gone = await api.queues.compute.first.add('compute', { n: 1, m: 5 }, { removeOnComplete: true });
    const waiting = api.request('GET', `/v1/jobs/compute/${gone.id}?wait=20`);
    // The job runs only once the waiter is in place: the API read the job and its events subscriber is
    // blocked reading the stream (a job run and removed before would be a 404, or an event never read).
    await whileWorkerRuns(api, async () => {
      const res = await waiting;
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: gone.id, state: 'completed', result: { checksum: 'feedbeef' } });
      expect(await api.queues.compute.getJob(String(gone.id))).toBeUndefined();
    });
  });

  test('POST ?wait= enqueues and waits in one call: 200 with the result once done', async ({ api }) => {
    const answer = api.request('POST', '/v1/jobs/compute?wait=20', { json: { payload: { n: 1, m: 2 } } });
    await whileWorkerRuns(api, async () => {
      const res = await answer;
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ state: 'completed', result: { checksum: 'feedbeef' } });
    });
  });

  test('a repeated POST ?wait= with the same key waits for the job like the first call', async ({ api }) => {
    const body = { json: { payload: { n: 1, m: 4 } }, headers: { 'idempotency-key': 'wait-twice' } };
    const first = await api.request('POST', '/v1/jobs/compute', body);
    expect(first.status).toBe(202);
    const repeat = api.request('POST', '/v1/jobs/compute?wait=20', body);
    await whileWorkerRuns(api, async () => {
      const res = await repeat;
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ state: 'completed', result: { checksum: 'feedbeef' } });
    });
  });

  test('answers with the current state when the wait runs out, 202 for a POST', async ({ api }) => {
    const res = await api.request('POST', '/v1/jobs/compute?wait=1', { json: { payload: { n: 1, m: 3 } } });
    expect(res.status).toBe(202);
    const view = (await res.json()) as View;
    expect(view.state).toBe('waiting');
    expect(((await (await api.request('GET', `/v1/jobs/compute/${view.id}?wait=1`)).json()) as View).state).toBe('waiting');
  });

  test('holds many waiters on a handful of Redis connections', async ({ api }) => {
    const clients = async () => String(await api.connection.call('CLIENT', 'LIST')).trim().split('\n').length;
    const jobs = await api.queues.sentiment.first.addBulk(Array.from({ length: 200 }, (_, i) => ({ name: 'sentiment', data: { text: `t${i}` } })));
    // Counted before any wait: the events subscriber the waits open counts against the bound below.
    const before = await clients();
    const waits = jobs.map((job) => api.request('GET', `/v1/jobs/sentiment/${job.id}?wait=20`));
    await eventsSubscribed(api);
    const worker = new Worker('sentiment', async () => ({ score: 0, comparative: 0, positive: [], negative: [], tokens: 1 }), {
      connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
      prefix: api.prefix,
      concurrency: 50,
    });
    try {
      const views = await Promise.all(waits.map(async (w) => (await (await w).json()) as View));
      expect(views.every((view) => view.state === 'completed')).toBe(true);
      // The worker's own connections aside, waiting added no connection per request.
      expect(await clients()).toBeLessThanOrEqual(before + 3);
    } finally {
      await worker.close();
    }
  });

  test('refuses a wait out of range', async ({ api }) => {
    for (const wait of ['31', '-1', 'soon']) {
      const res = await api.request('GET', `/v1/jobs/compute/1?wait=${wait}`);
      expect(res.status, wait).toBe(400);
    }
  });
});

const faultyTest = base.extend<{ api: ApiHarness }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    // No worker: the job stays waiting; the API's Redis connection goes through a fault proxy.
    const api = await startApi({ faultProxy: true, dispatchSlots: false });
    await use(api);
    await api.proxy?.acceptNew();
    await api.stop();
  },
});

describe('POST ?wait= when Redis fails after the job was added', () => {
  faultyTest('answers 202 with the job (which exists), never a 503 saying nothing was enqueued', async ({ api }) => {
    const answer = api.request('POST', '/v1/jobs/compute?wait=3', { json: { payload: { n: 1, m: 1 } } });
    // Once the add went through (the job is there), the API's connection goes and stays away.
    const id = await waitFor(async () => (await api.queues.compute.listJobs(['waiting'], '0', 10)).jobs[0]?.id);
    await api.proxy!.refuseNew();
    api.proxy!.reset();
    const res = await answer;
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id, type: 'compute', state: 'waiting' });
  });
});
