import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samePayload } from './enqueue/idempotency-key';
import { startApi, type ApiHarness } from './testing/api-harness';

describe('Idempotency-Key', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api?.stop();
  });

  const post = (key: string | undefined, payload: unknown) =>
    api.request('POST', '/v1/jobs/compute', { json: { payload }, headers: key === undefined ? {} : { 'idempotency-key': key } });

  it('returns the same job for the same key and payload, 200 instead of 202', async () => {
    const first = await post('order-42', { n: 2, m: 3 });
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    const again = await post('order-42', { m: 3, n: 2 });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id, type: 'compute', state: 'waiting' });
    expect((await api.queues.compute.getJobCounts('waiting')).waiting).toBe(1);
    // Another key is another job.
    expect((await post('order-43', { n: 2, m: 3 })).status).toBe(202);
  });

  it('refuses the same key with a different payload, enqueueing nothing', async () => {
    await post('order-77', { n: 1, m: 1 });
    const before = (await api.queues.compute.getJobCounts('waiting')).waiting;
    const conflict = await post('order-77', { n: 1, m: 2 });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe('idempotency_conflict');
    expect((await api.queues.compute.getJobCounts('waiting')).waiting).toBe(before);
  });

  it('rejects a malformed key', async () => {
    const res = await post('has spaces', { n: 1, m: 1 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_idempotency_key');
  });

  it('takes a jobId in the body as the job\'s own id, with the same rules as a key', async () => {
    const byId = (body: unknown, headers: Record<string, string> = {}) => api.request('POST', '/v1/jobs/compute', { json: body, headers });
    const first = await byId({ jobId: 'invoice-2026-11', payload: { n: 3, m: 3 } });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ id: 'invoice-2026-11' });
    expect((await api.request('GET', '/v1/jobs/compute/invoice-2026-11')).status).toBe(200);
    expect((await byId({ jobId: 'invoice-2026-11', payload: { n: 3, m: 3 } })).status).toBe(200);
    const conflict = await byId({ jobId: 'invoice-2026-11', payload: { n: 3, m: 4 } });
    expect(conflict.status).toBe(409);
    for (const bad of ['42', 'has:colon', 'x'.repeat(129), '']) {
      const res = await byId({ jobId: bad, payload: { n: 1, m: 1 } });
      expect(res.status, bad).toBe(422);
    }
    const both = await byId({ jobId: 'invoice-2026-12', payload: { n: 1, m: 1 } }, { 'idempotency-key': 'k1' });
    expect(both.status).toBe(400);
    expect(await api.queues.compute.getJob('invoice-2026-12')).toBeUndefined();
  });

  it('compares payloads as JSON, whatever their key order', () => {
    expect(samePayload({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(samePayload({ a: 1 }, { a: '1' })).toBe(false);
    expect(samePayload([1, 2], [2, 1])).toBe(false);
  });
});
