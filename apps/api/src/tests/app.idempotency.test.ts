import { describe, expect, it } from 'vitest';
import { samePayload } from '../enqueue/idempotency-key';
import type { ApiHarness } from '../testing/api-harness';
import { apiTest as test } from '../testing/api-test';

const post = (api: ApiHarness, key: string | undefined, payload: unknown) =>
  api.request('POST', '/v1/jobs/compute', { json: { payload }, headers: key === undefined ? {} : { 'idempotency-key': key } });

describe('Idempotency-Key', () => {
  test('returns the same job for the same key and payload, 200 instead of 202', async ({ api }) => {
    const first = await post(api, 'order-42', { n: 2, m: 3 });
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    const again = await post(api, 'order-42', { m: 3, n: 2 });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id, type: 'compute', state: 'waiting' });
    expect((await api.queues.compute.getJobCounts('waiting')).waiting).toBe(1);
    // Another key is another job.
    expect((await post(api, 'order-43', { n: 2, m: 3 })).status).toBe(202);
  });

  test('refuses the same key with a different payload, enqueueing nothing', async ({ api }) => {
    await post(api, 'order-77', { n: 1, m: 1 });
    const before = (await api.queues.compute.getJobCounts('waiting')).waiting;
    const conflict = await post(api, 'order-77', { n: 1, m: 2 });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe('idempotency_conflict');
    expect((await api.queues.compute.getJobCounts('waiting')).waiting).toBe(before);
  });

  test('rejects a malformed key', async ({ api }) => {
    const res = await post(api, 'has spaces', { n: 1, m: 1 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_idempotency_key');
  });

  test('takes a jobId in the body as the job\'s own id, with the same rules as a key', async ({ api }) => {
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

  test('makes exactly one job of two concurrent requests with one key and different payloads; the other is a 409', async ({ api }) => {
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}`;
      const answers = await Promise.all([post(api, key, { n: 5, m: round + 1 }), post(api, key, { n: 6, m: round + 1 })]);
      expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
      const winner = (await answers.find((a) => a.status === 202)?.json()) as { id: string };
      const loser = (await answers.find((a) => a.status === 409)?.json()) as { error: { code: string; details: { id: string } } };
      expect(loser.error).toMatchObject({ code: 'idempotency_conflict', details: { id: winner.id } });
      const waiting = (await api.queues.compute.listJobs(['waiting'], '0', 1_000)).jobs;
      const jobs = waiting.filter((job) => (job.data as { m: number }).m === round + 1 && (job.data as { n: number }).n > 4);
      expect(jobs.map((job) => job.id)).toEqual([winner.id]);
    }
  });

  test('gives each API key its own keys: one key string from two callers makes two jobs', async ({ api }) => {
    const other = api.createKey(['jobs:write', 'jobs:read']);
    const mine = await post(api, 'shared-key', { n: 7, m: 7 });
    const theirs = await api.request('POST', '/v1/jobs/compute', {
      json: { payload: { n: 7, m: 7 } },
      headers: { 'idempotency-key': 'shared-key', authorization: `Bearer ${other}` },
    });
    expect([mine.status, theirs.status]).toEqual([202, 202]);
    expect(((await mine.json()) as { id: string }).id).not.toBe(((await theirs.json()) as { id: string }).id);
  });

  test('outlives the job: after retention removed it, a repeat answers 200 with its id and state expired, and adds nothing', async ({ api }) => {
    const first = await post(api, 'kept-longer', { n: 8, m: 8 });
    const { id } = (await first.json()) as { id: string };
    await (await api.queues.compute.getJob(id))?.remove();
    const again = await post(api, 'kept-longer', { n: 8, m: 8 });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id, type: 'compute', state: 'expired' });
    const lean = await api.request('POST', '/v1/jobs/compute?wait=0', { json: { payload: { n: 8, m: 8 } }, headers: { 'idempotency-key': 'kept-longer' } });
    expect(await lean.json()).toMatchObject({ id, state: 'expired' });
    expect(await api.queues.compute.getJob(id)).toBeUndefined();
  });

  test('keeps one small record per (caller, key), beside its job, for IDEMPOTENCY_TTL', async ({ api }) => {
    const { id } = (await (await post(api, 'with-ttl', { n: 9, m: 9 })).json()) as { id: string };
    const record = `${api.queues.compute.forJob(id).toKey('')}idem:${id}`;
    // The nonce is the request's own: a resend of the same claim (ioredis after a reconnect) is told apart from a repeat.
    expect(await api.connection.hgetall(record)).toEqual({ digest: expect.any(String), owner: expect.any(String), nonce: expect.any(String) });
    const ttl = await api.connection.ttl(record);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });

  test('names the same job for a key every time, from the key alone: a lost record makes no second job', async ({ api }) => {
    const first = (await (await post(api, 'lost-record', { n: 13, m: 1 })).json()) as { id: string };
    // A failover that lost the record (and not the job) must not make a second job under another id.
    await api.connection.del(`${api.queues.compute.forJob(first.id).toKey('')}idem:${first.id}`);
    const again = await post(api, 'lost-record', { n: 13, m: 1 });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
  });

  test('refuses the same key with other options (a delay, a priority, attempts): 409, nothing added', async ({ api }) => {
    const ask = (options?: unknown) => api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 14, m: 1 }, ...(options ? { options } : {}) }, headers: { 'idempotency-key': 'with-options' } });
    expect((await ask()).status).toBe(202);
    for (const options of [{ delayMs: 60_000 }, { priority: 3 }, { attempts: 5 }]) {
      const res = await ask(options);
      expect(res.status, JSON.stringify(options)).toBe(409);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('idempotency_conflict');
    }
    expect((await ask()).status).toBe(200);
  });

  test("answers another API key's jobId with 409 job_id_taken, never with that key's job", async ({ api }) => {
    const other = api.createKey(['jobs:write', 'jobs:read']);
    const body = { jobId: 'shared-invoice-1', payload: { n: 15, m: 1 } };
    expect((await api.request('POST', '/v1/jobs/compute', { json: body })).status).toBe(202);
    const theirs = await api.request('POST', '/v1/jobs/compute', { json: body, headers: { authorization: `Bearer ${other}` } });
    expect(theirs.status).toBe(409);
    expect(await theirs.json()).toMatchObject({ error: { code: 'job_id_taken', details: { id: 'shared-invoice-1' } } });
  });

  test.for([
    ['a first request', 'parity-a', { n: 10, m: 1 }, { n: 10, m: 1 }],
    ['a repeat', 'parity-b', { n: 11, m: 1 }, { n: 11, m: 1 }],
    ['a conflict', 'parity-c', { n: 12, m: 1 }, { n: 12, m: 2 }],
  ] as const)('answers %s alike on the lean path and through express', async ([_case, key, firstPayload, secondPayload], { api }) => {
    const shape = async (res: Response) => {
      const body = (await res.json()) as Record<string, unknown>;
      return { status: res.status, keys: Object.keys(body).sort(), state: body.state, code: (body.error as { code?: string } | undefined)?.code };
    };
    const ask = (lean: boolean, k: string, payload: unknown) =>
      api.request('POST', `/v1/jobs/compute${lean ? '' : '?wait=0'}`, { json: { payload }, headers: { 'idempotency-key': k } });
    const answers = [];
    for (const lean of [true, false]) {
      if (_case !== 'a first request') await ask(lean, `${key}-${lean}`, firstPayload);
      answers.push(await shape(await ask(lean, `${key}-${lean}`, secondPayload)));
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it('compares payloads as JSON, whatever their key order', () => {
    expect(samePayload({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(samePayload({ a: 1 }, { a: '1' })).toBe(false);
    expect(samePayload([1, 2], [2, 1])).toBe(false);
  });
});
