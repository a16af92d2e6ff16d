import { redisCli, startRedis, waitFor, type PrivateRedis } from '@floodgate/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './testing/api-harness';

interface ErrorBody {
  error: { code: string; message: string; details: { id: string; type: string; replicas: number; wanted: number } };
}

describe('REDIS_ACK_REPLICAS: a 202 only once replicas hold the job', () => {
  let api: ApiHarness;
  let replica: PrivateRedis | undefined;
  beforeAll(async () => {
    // A WAIT long enough for a replica on a loaded machine; with none attached it simply runs out.
    api = await startApi({ replicationAck: { replicas: 1, timeoutMs: 2_000 } });
  });
  afterAll(async () => {
    await api?.stop();
    await replica?.stop();
  });

  it('answers 503 replication_unconfirmed naming the job, which may exist, when no replica confirms in time', async () => {
    const res = await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'no replica yet' } } });
    expect(res.status).toBe(503);
    const body = (await res.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: 'replication_unconfirmed', details: { type: 'sentiment', replicas: 0, wanted: 1 } });
    expect(body.error.message).toMatch(/may exist/);
    // It does exist on the primary: the client can check before retrying.
    const view = await api.request('GET', `/v1/jobs/sentiment/${body.error.details.id}`);
    expect(view.status).toBe(200);
  });

  it('answers 202 once a replica is attached and acknowledges, for single and bulk enqueues', async () => {
    replica = await startRedis();
    await redisCli(replica.port, 'replicaof', '127.0.0.1', String(api.redis.port));
    await waitFor(async () => (await redisCli(replica!.port, 'info', 'replication')).includes('master_link_status:up'), {
      timeoutMs: 20_000,
      description: 'the replica to sync',
    });
    expect((await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'replicated' } } })).status).toBe(202);
    const bulk = await api.request('POST', '/v1/jobs/sentiment/bulk', { json: { jobs: [{ payload: { text: 'a' } }, { payload: { text: 'b' } }] } });
    expect(bulk.status).toBe(202);
  }, 30_000);
});
