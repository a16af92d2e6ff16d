import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import type { ApiHarness } from '../testing/api-harness';
import { apiTestWith } from '../testing/api-test';

interface ErrorBody {
  error: { code: string; message: string };
}

const test = apiTestWith({ faultProxy: true });

/**
 * Schedules while the API's Redis connection breaks in the middle of the
 * upsert (through the testkit fault proxy): the answer is a 503 the client can
 * retry, and a schedule being moved to another type is never lost.
 */
describe('schedules under Redis faults', () => {
  const put = (api: ApiHarness, id: string, body: unknown) => api.request('PUT', `/v1/schedules/${id}`, { json: body });
  const proxy = (api: ApiHarness) => {
    if (!api.proxy) throw new Error('the harness was started without a fault proxy');
    return api.proxy;
  };
  /** Cuts the connection halfway through the command that carries `marker`, and keeps Redis out of reach. */
  const breakOn = async (api: ApiHarness, marker: string) => {
    await proxy(api).refuseNew();
    // Wrapped: an async function returning the promise itself would wait for the drop.
    return { dropped: proxy(api).dropAfterClientBytes(4, { after: marker }) };
  };
  const heal = async (api: ApiHarness) => {
    await proxy(api).acceptNew();
    await waitFor(() => api.connection.status === 'ready', { description: 'the API to reconnect to Redis' });
  };

  test('a Redis failure during the upsert is a 503, not invalid_schedule', async ({ api }) => {
    const { dropped } = await breakOn(api, 'marker-create');
    const res = await put(api, 'fault-create', { type: 'sentiment', payload: { text: 'marker-create' }, everyMs: 60_000 });
    await dropped;
    const body = (await res.json()) as ErrorBody;
    expect(res.status, JSON.stringify(body)).toBe(503);
    expect(body.error.code).toBe('redis_unavailable');
    expect(res.headers.get('retry-after')).not.toBeNull();
    await heal(api);
    // PUT is an upsert: the retry the 503 asks for just works.
    expect((await put(api, 'fault-create', { type: 'sentiment', payload: { text: 'marker-create' }, everyMs: 60_000 })).status).toBe(200);
  });

  test('Redis refusing the write (OOM at maxmemory) is a 503 redis_memory_high, not invalid_schedule', async ({ api }) => {
    await api.connection.config('SET', 'maxmemory', '1');
    try {
      const res = await put(api, 'fault-oom', { type: 'sentiment', payload: { text: 'full' }, everyMs: 60_000 });
      const body = (await res.json()) as ErrorBody;
      expect(res.status, JSON.stringify(body)).toBe(503);
      expect(body.error.code).toBe('redis_memory_high');
    } finally {
      await api.connection.config('SET', 'maxmemory', '0');
    }
    expect((await api.request('GET', '/v1/schedules/fault-oom')).status).toBe(404);
  });

  test('moving a schedule to another type loses nothing when the move fails', async ({ api }) => {
    expect((await put(api, 'fault-move', { type: 'compute', payload: { n: 1, m: 1 }, everyMs: 60_000 })).status).toBe(200);
    const { dropped } = await breakOn(api, 'marker-move');
    const res = await put(api, 'fault-move', { type: 'sentiment', payload: { text: 'marker-move' }, everyMs: 60_000 });
    await dropped;
    expect(res.status).toBe(503);
    await heal(api);
    const read = await api.request('GET', '/v1/schedules/fault-move');
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: 'fault-move', type: 'compute', payload: { n: 1, m: 1 } });
    expect(await api.queues.compute.first.getJobScheduler('fault-move')).toBeDefined();
  });
});
