import { attemptTimeoutOf, catalog } from '@floodgate/shared/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, totalJobs, type ApiHarness } from './testing/api-harness';

describe('options on enqueue', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    // No worker fleet: jobs stay where they were added, in their tenant's lane, and report the state BullMQ would give them.
    api = await startApi({ dispatchSlots: false });
  });
  afterAll(async () => {
    await api?.stop();
  });

  const post = (options: unknown) => api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 1, m: 1 }, options } });

  it('delays, prioritizes and sets attempts and back-off per job', async () => {
    const delayed = (await (await post({ delayMs: 60_000 })).json()) as { id: string; state: string };
    expect(delayed.state).toBe('delayed');
    expect(await api.queues.compute.getJobState(delayed.id)).toBe('delayed');

    const urgent = (await (await post({ priority: 1 })).json()) as { id: string; state: string };
    expect(urgent.state).toBe('prioritized');
    expect(await api.queues.compute.getJobState(urgent.id)).toBe('prioritized');

    const stubborn = (await (await post({ attempts: 7, backoff: { type: 'fixed', delayMs: 500 } })).json()) as { id: string };
    const job = await api.queues.compute.getJob(stubborn.id);
    expect(job?.opts).toMatchObject({ attempts: 7, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: { count: 1_000 } });
  });

  it("stores a job's own attempt time limit, up to its type's", async () => {
    const quick = (await (await post({ timeoutMs: 2_500 })).json()) as { id: string };
    const job = await api.queues.compute.getJob(quick.id);
    expect(attemptTimeoutOf(catalog.compute, job?.opts)).toBe(2_500);
    const plain = (await (await post(undefined)).json()) as { id: string };
    expect(attemptTimeoutOf(catalog.compute, (await api.queues.compute.getJob(plain.id))?.opts)).toBe(catalog.compute.timeoutMs);

    const tooLong = await post({ timeoutMs: catalog.compute.timeoutMs + 1 });
    expect(tooLong.status).toBe(422);
    expect(JSON.stringify(await tooLong.json())).toContain(`compute attempts may take at most ${catalog.compute.timeoutMs} ms`);
  });

  it('applies options per item in a bulk request', async () => {
    const res = await api.request('POST', '/v1/jobs/compute/bulk', {
      json: { jobs: [{ payload: { n: 1, m: 1 } }, { payload: { n: 1, m: 2 }, options: { delayMs: 60_000 } }] },
    });
    const body = (await res.json()) as { jobs: Array<{ id: string; state: string }> };
    expect(body.jobs.map((job) => job.state)).toEqual(['waiting', 'delayed']);
  });

  it('refuses out-of-range options with a 422 naming each, enqueueing nothing', async () => {
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
      const res = await post(options);
      expect(res.status, JSON.stringify(options)).toBe(422);
      const paths = ((await res.json()) as { error: { details: { issues: Array<{ path: string }> } } }).error.details.issues.map((i) => i.path);
      expect(paths, JSON.stringify(options)).toContain(path);
    }
    expect(await totalJobs(api.queues)).toBe(before);
  });
});
