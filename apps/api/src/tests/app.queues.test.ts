import { writeHeartbeat } from '@floodgate/shared/workers';
import { waitFor } from '@floodgate/testkit';
import { Worker } from 'bullmq';
import { describe, expect } from 'vitest';
import type { ApiHarness } from '../testing/api-harness';
import { apiTest as test } from '../testing/api-test';

interface QueuesBody {
  queues: Array<{ type: string; paused: boolean; counts: Record<string, number>; workers: string[] }>;
}

describe('queues: counts, live workers, pause and resume', () => {
  const queues = async (api: ApiHarness) => ((await (await api.request('GET', '/v1/queues')).json()) as QueuesBody).queues;

  test('lists every type with its counts and the workers running it', async ({ api }) => {
    await api.queues.compute.first.add('compute', { n: 1, m: 1 });
    const beat = {
      id: 'h:1', host: 'h', pid: 1, queues: [{ type: 'compute', concurrency: 2, active: 0 }], cpuThreads: 1,
      eventLoopDelayP99Ms: 1, rssBytes: 1, uptimeSeconds: 1, startedAt: new Date().toISOString(), beatAt: new Date().toISOString(),
    };
    await writeHeartbeat(api.connection, api.prefix, beat, 60_000);
    const list = await queues(api);
    expect(list.map((q) => q.type)).toEqual(['sentiment', 'page-extract', 'compute']);
    expect(list.find((q) => q.type === 'compute')).toMatchObject({ paused: false, counts: { waiting: 1 }, workers: ['h:1'] });
    expect(list.find((q) => q.type === 'sentiment')?.workers).toEqual([]);
  });

  test('answers many polls of /v1/workers and /v1/queues from one listing of the workers', async ({ api }) => {
    const scans = async () => Number(/cmdstat_scan:calls=(\d+)/.exec(await api.connection.info('commandstats'))?.[1] ?? 0);
    const before = await scans();
    const polls = await Promise.all(Array.from({ length: 20 }, (_, i) => api.request('GET', i % 2 ? '/v1/workers' : '/v1/queues')));
    expect(polls.map((res) => res.status)).toEqual(Array.from({ length: 20 }, () => 200));
    // One SCAN per listing here (a few keys); polls that come while a listing runs wait for it, and those
    // within the next second are answered from it: a second listing only if the polls straddle that second.
    expect((await scans()) - before).toBeLessThanOrEqual(2);
  });

  test('pauses a type: jobs are still accepted but not started, until resumed', async ({ api }) => {
    expect(await (await api.request('POST', '/v1/queues/sentiment/pause')).json()).toEqual({ type: 'sentiment', paused: true });
    expect((await queues(api)).find((q) => q.type === 'sentiment')?.paused).toBe(true);
    const posted = (await (await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'later' } } })).json()) as { id: string };
    const worker = new Worker('sentiment', async () => ({ score: 0, comparative: 0, positive: [], negative: [], tokens: 1 }), {
      connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
      prefix: api.prefix,
    });
    try {
      await worker.waitUntilReady();
      expect(await api.queues.sentiment.getJobState(posted.id)).not.toBe('completed');
      await api.request('POST', '/v1/queues/sentiment/resume');
      await waitFor(async () => (await api.queues.sentiment.getJobState(posted.id)) === 'completed');
    } finally {
      await worker.close();
    }
  });

  test('refuses unknown types and wrong methods', async ({ api }) => {
    expect((await api.request('POST', '/v1/queues/nope/pause')).status).toBe(404);
    expect((await api.request('GET', '/v1/queues/compute/pause')).status).toBe(405);
  });
});
