import { attachReplica, startRedis, startTcpFaultProxy, type PrivateRedis, type TcpFaultProxy } from '@floodgate/testkit';
import { describe, expect, test as base } from 'vitest';
import { startApi, type ApiHarness } from '../testing/api-harness';

interface ErrorBody {
  error: { code: string; message: string; details: { id: string; type: string; replicas: number; wanted: number } };
}

const test = base.extend<{ api: ApiHarness; replica: PrivateRedis }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    // A WAIT long enough for a replica on a loaded machine; with none attached it simply runs out.
    const api = await startApi({ replicationAck: { replicas: 1, timeoutMs: 2_000 } });
    await use(api);
    await api.stop();
  },
  /** A Redis of its own, not yet a replica of anything. */
  // eslint-disable-next-line no-empty-pattern
  replica: async ({}, use) => {
    const replica = await startRedis();
    await use(replica);
    await replica.stop();
  },
});

describe('REDIS_ACK_REPLICAS: a 202 only once replicas hold the job', () => {
  test('answers 503 replication_unconfirmed naming the job, which may exist, when no replica confirms in time', async ({ api }) => {
    const res = await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'no replica yet' } } });
    expect(res.status).toBe(503);
    const body = (await res.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: 'replication_unconfirmed', details: { type: 'sentiment', replicas: 0, wanted: 1 } });
    expect(body.error.message).toMatch(/may exist/);
    // It does exist on the primary: the client can check before retrying.
    const view = await api.request('GET', `/v1/jobs/sentiment/${body.error.details.id}`);
    expect(view.status).toBe(200);
  });

  test('keeps an Idempotency-Key bound to the job it may have made: a retry finds that job, never makes a second', async ({ api }) => {
    const ask = () => api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'retried' } }, headers: { 'idempotency-key': 'unconfirmed-1' } });
    const first = await ask();
    expect(first.status).toBe(503);
    const { id } = ((await first.json()) as ErrorBody).error.details;
    const again = await ask();
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(id);
    const retried = (await api.queues.sentiment.listJobs(['waiting'], '0', 1_000)).jobs.filter((job) => (job.data as { text: string }).text === 'retried');
    expect(retried.map((job) => job.id)).toEqual([id]);
  });

  test('answers 202 once a replica is attached and acknowledges, for single and bulk enqueues', async ({ api, replica }) => {
    await attachReplica(replica.port, api.redis.port, 20_000);
    expect((await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'replicated' } } })).status).toBe(202);
    const bulk = await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs: [{ payload: { text: 'a' } }, { payload: { text: 'b' } }] } });
    expect(bulk.status).toBe(202);
  }, 30_000);
});

const linkedTest = base.extend<{ api: ApiHarness; link: TcpFaultProxy }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    // WAIT's own timeout: short, since the stalled replica will never acknowledge.
    const api = await startApi({ replicationAck: { replicas: 1, timeoutMs: 500 } });
    await use(api);
    await api.stop();
  },
  /**
   * The replica reaches its primary through a fault proxy, so its acknowledgements can be held back
   * while it stays attached (connected_slaves:1): the case where WAIT counts a live replica short.
   */
  link: async ({ api }, use) => {
    const link = await startTcpFaultProxy({ target: `127.0.0.1:${api.redis.port}` });
    const replica = await startRedis();
    await attachReplica(replica.port, link.port, 20_000);
    await use(link);
    await link.close();
    await replica.stop();
  },
});

describe('REDIS_ACK_REPLICAS on a bulk enqueue whose WAIT falls short', () => {
  linkedTest('names every unconfirmed item by its own id, and each of those jobs exists on the primary', async ({ api, link }) => {
    const jobs = Array.from({ length: 5 }, (_, i) => ({ payload: { text: `bulk item ${i}` } }));
    const confirmed = await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs } });
    expect(confirmed.status).toBe(202);

    link.stall();
    const res = await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs } });
    link.resume();
    expect(res.status).toBe(207);
    const body = (await res.json()) as { status: string; count: number; jobs: Array<{ id?: string; error?: ErrorBody['error'] }> };
    expect(body).toMatchObject({ status: 'none', count: 0 });
    expect(body.jobs).toHaveLength(jobs.length);
    for (const item of body.jobs) {
      expect(item.error).toMatchObject({ code: 'replication_unconfirmed', details: { type: 'sentiment', wanted: 1 } });
      // The item's id, its error's id and the id named in its message are the same job.
      expect(item.id).toBe(item.error!.details.id);
      expect(item.error!.message).toContain(`/v1/jobs/sentiment/${item.id}`);
    }
    const ids = body.jobs.map((item) => item.id);
    expect(new Set(ids).size).toBe(jobs.length);
    for (const id of ids) {
      const view = await api.request('GET', `/v1/jobs/sentiment/${id}`);
      expect(view.status, `job ${id} may exist, and does`).toBe(200);
      expect(((await view.json()) as { id: string }).id).toBe(id);
    }
  }, 30_000);
});
