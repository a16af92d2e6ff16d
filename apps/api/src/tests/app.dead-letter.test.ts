import { writeHeartbeat } from '@floodgate/shared/workers';
import { waitFor } from '@floodgate/testkit';
import { Worker } from 'bullmq';
import { describe, expect } from 'vitest';
import { apiTest as test } from '../testing/api-test';

interface JobList {
  jobs: Array<{ id: string; state: string; error: string | null }>;
  nextCursor: string | null;
}

describe('the dead-letter set and live workers', () => {
  test('lists failed jobs newest first, page by page, and retries one to completion', async ({ api }) => {
    let broken = true;
    const worker = new Worker(
      'compute',
      async () => {
        if (broken) throw new Error('upstream_status: 503 from a flaky dependency');
        return { checksum: '00000000', operations: 1, n: 1, m: 1 };
      },
      { connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }), prefix: api.prefix },
    );
    try {
      // Failed one after another, each in a later millisecond, in an order that is neither
      // their ids' nor its reverse: only newest-first lists them as expected below.
      const ids = ['failed-b', 'failed-c', 'failed-a'];
      for (const [i, id] of ids.entries()) {
        await api.queues.compute.first.add('compute', { n: 1, m: i + 1 }, { attempts: 1, jobId: id });
        const failedOn = await waitFor(async () => (await api.queues.compute.getJob(id))?.finishedOn);
        await waitFor(() => Date.now() > failedOn);
      }

      const first = (await (await api.request('GET', '/v1/jobs/compute?state=failed&limit=2')).json()) as JobList;
      expect(first.jobs.map((job) => job.id)).toEqual(['failed-a', 'failed-c']);
      expect(first.jobs[0]).toMatchObject({ state: 'failed', error: 'upstream_status: 503 from a flaky dependency' });
      expect(first.nextCursor).toBe('2');
      const second = (await (await api.request('GET', `/v1/jobs/compute?state=failed&limit=2&cursor=${first.nextCursor}`)).json()) as JobList;
      expect(second.jobs.map((job) => job.id)).toEqual(['failed-b']);
      expect(second.nextCursor).toBeNull();

      broken = false;
      const retried = await api.request('POST', `/v1/jobs/compute/${ids[0]}/retry`);
      expect(retried.status).toBe(202);
      await waitFor(async () => ((await (await api.request('GET', `/v1/jobs/compute/${ids[0]}`)).json()) as { state: string }).state === 'completed');
      const again = await api.request('POST', `/v1/jobs/compute/${ids[0]}/retry`);
      expect(again.status).toBe(409);
      expect(((await again.json()) as { error: { code: string } }).error.code).toBe('job_not_failed');
    } finally {
      await worker.close();
    }
  });

  test('refuses bad list queries and unknown jobs', async ({ api }) => {
    for (const query of ['state=bogus', 'limit=0', 'limit=101', 'cursor=-1', 'limit=ten', 'extra=1']) {
      const res = await api.request('GET', `/v1/jobs/compute?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_query');
    }
    expect((await api.request('POST', '/v1/jobs/compute/404404/retry')).status).toBe(404);
  });

  test('lists the live workers from their heartbeats, and forgets one whose beat expired', async ({ api }) => {
    const beat = {
      id: 'host-a:42',
      host: 'host-a',
      pid: 42,
      queues: [{ type: 'compute', concurrency: 2, active: 1 }],
      cpuThreads: 2,
      eventLoopDelayP99Ms: 3.2,
      rssBytes: 80_000_000,
      uptimeSeconds: 12,
      startedAt: new Date().toISOString(),
      beatAt: new Date().toISOString(),
    };
    const other = { ...beat, id: 'host-b:7', host: 'host-b', pid: 7 };
    await writeHeartbeat(api.connection, api.prefix, beat, 60_000);
    await writeHeartbeat(api.connection, api.prefix, other, 60_000);
    const listed = (await (await api.request('GET', '/v1/workers')).json()) as { workers: Array<{ id: string }> };
    expect(listed.workers.map((w) => w.id)).toEqual(['host-a:42', 'host-b:7']);
    expect(listed.workers[0]).toEqual(beat);
    // host-b's last beat, one that lapses at once: it stops beating.
    await writeHeartbeat(api.connection, api.prefix, other, 1);
    await waitFor(async () => {
      const body = (await (await api.request('GET', '/v1/workers')).json()) as { workers: Array<{ id: string }> };
      return body.workers.length === 1 && body.workers[0]?.id === 'host-a:42';
    });
  });
});
