import { parseApiKey } from '@floodgate/shared/api-keys';
import { partitionOfJobId, partitionOfKey } from '@floodgate/shared/queues';
import { waitFor } from '@floodgate/testkit';
import { Worker, type Job } from 'bullmq';
import { describe, expect, test as base } from 'vitest';
import { startApi, type ApiHarness } from '../testing/api-harness';

const test = base.extend<{ api: ApiHarness; startWorkers: () => void }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    const api = await startApi({ partitions: { sentiment: 3 } });
    await use(api);
    await api.stop();
  },
  /** Starts a raw BullMQ Worker on every partition ('fail' fails, anything else completes after a progress report), closed when the test ends. */
  startWorkers: async ({ api }, use) => {
    const workers: Worker[] = [];
    await use(() => {
      workers.push(
        ...api.queues.sentiment.partitions.map(
          (queue) =>
            new Worker(
              queue.name,
              async (job: Job<{ text: string }>) => {
                if (job.data.text === 'fail') throw new Error('told to fail');
                await job.updateProgress(50);
                return { score: 1, comparative: 1, positive: ['good'], negative: [], tokens: 1 };
              },
              { connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }), prefix: api.prefix },
            ),
        ),
      );
    });
    await Promise.all(workers.map((worker) => worker.close()));
  },
});

const post = async (api: ApiHarness, body: unknown, headers: Record<string, string> = {}) => {
  const res = await api.request('POST', '/v1/jobs/sentiment', { json: body, headers });
  // 202 when added, 200 when a key or jobId named a job asked for before.
  expect([200, 202]).toContain(res.status);
  return ((await res.json()) as { id: string }).id;
};

/** sentiment split into 3 partition queues, on one Redis: what is checked here is where jobs go and how they are found. */
describe('a partitioned type (QUEUE_PARTITIONS=sentiment=3)', () => {
  test('spreads plain jobs over every partition, names the partition in the id, and finds each job by it', async ({ api }) => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await post(api, { payload: { text: `job ${i}` } }));
    const partitions = ids.map((id) => partitionOfJobId(id));
    expect(new Set(partitions)).toEqual(new Set([0, 1, 2]));
    for (const [i, id] of ids.entries()) {
      // Stored in the partition its id names, and only there.
      expect(await api.queues.sentiment.partitions[partitions[i]!]!.getJob(id)).toBeDefined();
      const res = await api.request('GET', `/v1/jobs/sentiment/${id}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id, state: 'waiting' });
    }
    // Counts add up over the partitions.
    const queues = (await (await api.request('GET', '/v1/queues')).json()) as { queues: Array<{ type: string; counts: Record<string, number> }> };
    expect(queues.queues.find((q) => q.type === 'sentiment')?.counts.waiting).toBe(6);
    // The list merges the partitions, newest first.
    const listed = (await (await api.request('GET', '/v1/jobs/sentiment?state=waiting&limit=4')).json()) as { jobs: Array<{ id: string }> };
    expect(listed.jobs.map((job) => job.id)).toEqual(ids.slice(2).reverse());
    // A bulk spreads too.
    const bulk = await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs: Array.from({ length: 9 }, (_, i) => ({ payload: { text: `bulk ${i}` } })) } });
    expect(bulk.status).toBe(202);
    const items = ((await bulk.json()) as { jobs: Array<{ id: string }> }).jobs;
    const perPartition = [0, 1, 2].map((p) => items.filter((item) => partitionOfJobId(item.id) === p).length);
    expect(perPartition).toEqual([3, 3, 3]);
  });

  test('puts a keyed job in the partition its key hashes to, so repeats find it', async ({ api }) => {
    const first = await post(api, { payload: { text: 'keyed' } }, { 'idempotency-key': 'order-1234' });
    // An idempotency key is the caller's own: it hashes together with the key id that sent it.
    const owner = parseApiKey(api.apiKey)?.id;
    expect(partitionOfJobId(first)).toBe(partitionOfKey(`${owner}\norder-1234`, 3));
    expect(await post(api, { payload: { text: 'keyed' } }, { 'idempotency-key': 'order-1234' })).toBe(first);

    const own = await post(api, { payload: { text: 'mine' }, jobId: 'caller-chosen-77' });
    expect(own).toBe('caller-chosen-77');
    expect(await api.queues.sentiment.partitions[partitionOfKey(own, 3)]!.getJob(own)).toBeDefined();
    expect(await post(api, { payload: { text: 'mine' }, jobId: 'caller-chosen-77' })).toBe(own);
    expect((await api.request('GET', `/v1/jobs/sentiment/${own}`)).status).toBe(200);
  });

  test('removes, searches, waits for, streams and retries jobs in whichever partition holds them', async ({ api, startWorkers }) => {
    // DELETE of a waiting job goes to its partition.
    const doomed = await post(api, { payload: { text: 'remove me' } });
    const removed = await api.request('DELETE', `/v1/jobs/sentiment/${doomed}`);
    expect(removed.status).toBe(200);
    expect(await api.queues.sentiment.getJob(doomed)).toBeUndefined();

    // Search walks every partition, a page at a time: a bulk spreads its jobs over all three.
    const bulk = await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs: Array.from({ length: 9 }, (_, i) => ({ payload: { text: `bulk ${i}` } })) } });
    expect(bulk.status).toBe(202);
    const found = new Set<string>();
    let cursor: string | null = '';
    for (let page = 0; cursor !== null && page < 20; page++) {
      const res = await api.request('GET', `/v1/jobs/sentiment?q=text:bulk&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { jobs: Array<{ id: string }>; nextCursor: string | null };
      for (const job of body.jobs) found.add(job.id);
      cursor = body.nextCursor;
    }
    expect(found.size).toBe(9);

    const good = await post(api, { payload: { text: 'wait for me' } });
    const bad = await post(api, { payload: { text: 'fail' }, options: { attempts: 1 } });
    const streamed = await api.request('GET', `/v1/jobs/sentiment/${good}/events`);
    expect(streamed.status).toBe(200);
    const reading = streamed.text();
    const waiting = api.request('GET', `/v1/jobs/sentiment/${good}?wait=20`);
    startWorkers();
    expect(await (await waiting).json()).toMatchObject({ id: good, state: 'completed', result: { positive: ['good'] } });
    expect(await reading).toMatch(/event: state[\s\S]*event: completed/);

    await waitFor(async () => (await api.queues.sentiment.getJobState(bad)) === 'failed', { description: 'the failing job to fail' });
    const retried = await api.request('POST', `/v1/jobs/sentiment/${bad}/retry`);
    expect(retried.status).toBe(202);
    expect(await api.queues.sentiment.partitions[partitionOfJobId(bad)!]!.getJob(bad)).toBeDefined();
    await waitFor(async () => (await api.queues.sentiment.getJob(bad))?.attemptsMade === 2, { description: 'the retried job to run again' });
  });
});
