import { attemptTimeoutOf, catalog } from '@floodgate/shared/jobs';
import { describe, expect } from 'vitest';
import { totalJobs, type ApiHarness } from '../testing/api-harness';
import { apiTestWith } from '../testing/api-test';

const test = apiTestWith({ dispatchSlots: false });

describe('options on enqueue', () => {
  const post = (api: ApiHarness, options: unknown) => api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 1, m: 1 }, options } });

  test('delays, prioritizes and sets attempts and back-off per job', async ({ api }) => {
    const delayed = (await (await post(api, { delayMs: 60_000 })).json()) as { id: string; state: string };
    expect(delayed.state).toBe('delayed');
    expect(await api.queues.compute.getJobState(delayed.id)).toBe('delayed');

    const urgent = (await (await post(api, { priority: 1 })).json()) as { id: string; state: string };
    expect(urgent.state).toBe('prioritized');
    expect(await api.queues.compute.getJobState(urgent.id)).toBe('prioritized');

    const stubborn = (await (await post(api, { attempts: 7, backoff: { type: 'fixed', delayMs: 500 } })).json()) as { id: string };
    const job = await api.queues.compute.getJob(stubborn.id);
    expect(job?.opts).toMatchObject({ attempts: 7, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: { count: 1_000 } });
  });

  test("stores a job's own attempt time limit, up to its type's", async ({ api }) => {
    const quick = (await (await post(api, { timeoutMs: 2_500 })).json()) as { id: string };
    const job = await api.queues.compute.getJob(quick.id);
    expect(attemptTimeoutOf(catalog.compute, job?.opts)).toBe(2_500);
    const plain = (await (await post(api, undefined)).json()) as { id: string };
    expect(attemptTimeoutOf(catalog.compute, (await api.queues.compute.getJob(plain.id))?.opts)).toBe(catalog.compute.timeoutMs);

    const tooLong = await post(api, { timeoutMs: catalog.compute.timeoutMs + 1 });
    expect(tooLong.status).toBe(422);
    expect(JSON.stringify(await tooLong.json())).toContain(`compute attempts may take at most ${catalog.compute.timeoutMs} ms`);
  });

  test('applies options per item in a bulk request', async ({ api }) => {
    const res = await api.request('POST', '/v1/jobs/compute/bulk', {
      json: { jobs: [{ payload: { n: 1, m: 1 } }, { payload: { n: 1, m: 2 }, options: { delayMs: 60_000 } }] },
    });
    const body = (await res.json()) as { jobs: Array<{ id: string; state: string }> };
    expect(body.jobs.map((job) => job.state)).toEqual(['waiting', 'delayed']);
  });

  test('refuses out-of-range options with a 422 naming each, enqueueing nothing', async ({ api }) => {
    const before = await totalJobs(api.queues);
    for (const [options, path] of [
      [{ delayMs: -1 }, 'options.delayMs'],
      [{ delayMs: 1e12 }, 'options.delayMs'],
      [{ delayMs: 1.5 }, 'options.delayMs'],
      [{ priority: 0 }, 'options.priority'],
      [{ priority: 1e9 }, 'options.priority'],
      [{ attempts: 0 }, 'options.attempts'],
      [{ attempts: 1_000 }, 'options.attempts'],
      [{ backoff: { type: 'linear', delayMs: 1 } }, 'options.backoff.type'],
      [{ unknown: true }, 'options'],
      [{ delayMs: '5' }, 'options.delayMs'],
      [{ timeoutMs: 10 }, 'options.timeoutMs'],
      [{ timeoutMs: 1e9 }, 'options.timeoutMs'],
      [{ timeoutMs: 500.5 }, 'options.timeoutMs'],
    ] as const) {
      const res = await post(api, options);
      expect(res.status, JSON.stringify(options)).toBe(422);
      const paths = ((await res.json()) as { error: { details: { issues: Array<{ path: string }> } } }).error.details.issues.map((i) => i.path);
      expect(paths, JSON.stringify(options)).toContain(path);
    }
    expect(await totalJobs(api.queues)).toBe(before);
  });
});
