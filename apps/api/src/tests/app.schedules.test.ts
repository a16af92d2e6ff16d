import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import type { ApiHarness } from '../testing/api-harness';
import { apiTest as test } from '../testing/api-test';

interface Schedule {
  id: string;
  type: string;
  everyMs: number | null;
  cron: string | null;
  next: string | null;
  payload: unknown;
}

describe('schedules', () => {
  const put = (api: ApiHarness, id: string, body: unknown) => api.request('PUT', `/v1/schedules/${id}`, { json: body });

  test('creates, reads, lists, moves and deletes a schedule, which enqueues ordinary jobs', async ({ api }) => {
    const created = await put(api, 'nightly-score', { type: 'sentiment', payload: { text: 'scheduled' }, everyMs: 60_000 });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ id: 'nightly-score', type: 'sentiment', everyMs: 60_000, payload: { text: 'scheduled' } });
    // The first run is queued at once, as an ordinary sentiment job.
    await waitFor(async () => {
      const counts = await api.queues.sentiment.getJobCounts('waiting', 'delayed');
      return (counts.waiting ?? 0) + (counts.delayed ?? 0) > 0;
    });

    const read = (await (await api.request('GET', '/v1/schedules/nightly-score')).json()) as Schedule;
    expect(read.next).not.toBeNull();
    const cron = await put(api, 'hourly', { type: 'compute', payload: { n: 1, m: 1 }, cron: '0 * * * *', tz: 'Europe/Paris' });
    expect(((await cron.json()) as Schedule).cron).toBe('0 * * * *');
    const list = (await (await api.request('GET', '/v1/schedules')).json()) as { schedules: Schedule[] };
    expect(list.schedules.map((s) => s.id).sort()).toEqual(['hourly', 'nightly-score']);

    // The same id with another type moves the schedule.
    await put(api, 'nightly-score', { type: 'compute', payload: { n: 2, m: 2 }, everyMs: 60_000 });
    expect(await api.queues.sentiment.first.getJobScheduler('nightly-score')).toBeUndefined();
    expect(((await (await api.request('GET', '/v1/schedules/nightly-score')).json()) as Schedule).type).toBe('compute');

    expect((await api.request('DELETE', '/v1/schedules/nightly-score')).status).toBe(200);
    expect((await api.request('GET', '/v1/schedules/nightly-score')).status).toBe(404);
    expect((await api.request('DELETE', '/v1/schedules/nightly-score')).status).toBe(404);
  });

  test('refuses bad schedules with a clear 4xx', async ({ api }) => {
    const cases: Array<[unknown, number, string]> = [
      [{ type: 'sentiment', payload: { text: '' }, everyMs: 60_000 }, 422, 'invalid_payload'],
      [{ type: 'nope', payload: {}, everyMs: 60_000 }, 404, 'unknown_job_type'],
      [{ type: 'compute', payload: { n: 1, m: 1 } }, 422, 'invalid_payload'],
      [{ type: 'compute', payload: { n: 1, m: 1 }, everyMs: 60_000, cron: '* * * * *' }, 422, 'invalid_payload'],
      [{ type: 'compute', payload: { n: 1, m: 1 }, everyMs: 10 }, 422, 'invalid_payload'],
      [{ type: 'compute', payload: { n: 1, m: 1 }, cron: 'not a cron' }, 422, 'invalid_schedule'],
      [{ type: 'compute', payload: { n: 1, m: 1 }, cron: '0 * * * *', tz: 'Not/AZone' }, 422, 'invalid_schedule'],
    ];
    for (const [body, status, code] of cases) {
      const res = await put(api, 'bad', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect((await api.request('GET', '/v1/schedules/bad')).status).toBe(404);
    expect((await api.request('GET', `/v1/schedules/${'x'.repeat(200)}`)).status).toBe(400);
  });
});
