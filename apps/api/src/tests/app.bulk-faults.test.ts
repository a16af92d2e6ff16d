import { describe, expect } from 'vitest';
import { waitFor } from '@floodgate/testkit';
import { apiTestWith } from '../testing/api-test';

interface BulkBody {
  status: 'all' | 'some' | 'none';
  count: number;
  jobs: Array<{ id?: string; created?: boolean; error?: { code: string; details?: { id?: string } } }>;
}

const test = apiTestWith({ faultProxy: true, limits: { maxEventLoopDelayMs: 60_000 } });

/** A bulk request whose add pipeline loses its connection halfway, then sent again with the same items' ids. */
describe('bulk enqueue when the connection drops during the add', () => {
  test('reports each item as may-exist with its id, and a resend stores every item exactly once', async ({ api }) => {
    const jobs = Array.from({ length: 6 }, (_, i) => ({ jobId: `drop-bulk-${i}`, payload: { text: `item ${i}` } }));
    // The cut comes inside the add pipeline (only the add carries the payload), after the
    // per-item reads: the first items may be stored, the rest not.
    const cut = api.proxy?.dropAfterClientBytes(200, { after: 'item 0' });
    const first = await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs } });
    await cut;
    expect(first.status).toBe(207);
    const firstBody = (await first.json()) as BulkBody;
    expect(firstBody.status).toBe('none');
    for (const [i, item] of firstBody.jobs.entries()) {
      expect(item).toMatchObject({ id: `drop-bulk-${i}`, error: { code: 'enqueue_outcome_unknown' } });
    }
    await waitFor(() => api.connection.status === 'ready' || undefined, { description: 'the producer connection back' });

    const again = await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs } });
    expect(again.status).toBe(202);
    const againBody = (await again.json()) as BulkBody;
    expect(againBody).toMatchObject({ status: 'all', count: jobs.length });
    const waiting = await api.connection.lrange(`${api.prefix}:sentiment:wait`, 0, -1);
    for (const job of jobs) {
      expect(waiting.filter((id) => id === job.jobId), job.jobId).toHaveLength(1);
      expect((await api.queues.sentiment.getJob(job.jobId))?.data).toEqual(job.payload);
    }
  });
});
