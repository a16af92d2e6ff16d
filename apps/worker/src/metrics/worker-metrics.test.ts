import { createMetricsRegistry } from '@floodgate/shared/metrics';
import { metricValue } from '@floodgate/testkit';
import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createWorkerMetrics, measuredProcessor } from './worker-metrics';

describe('measuredProcessor', () => {
  it('counts attempts as active while they run, per type, and times each when it ends', async () => {
    const registry = createMetricsRegistry('worker-metrics-test');
    const metrics = createWorkerMetrics(registry);
    const releases: Array<(ok: boolean) => void> = [];
    const processor = measuredProcessor(
      'sentiment',
      (_job: Job) =>
        new Promise<string>((resolve, reject) => releases.push((ok) => (ok ? resolve('done') : reject(new Error('boom'))))),
      metrics,
    );
    // A second processor of the same type (another worker, say a partition) shares the count.
    const other = measuredProcessor('sentiment', () => new Promise<string>((resolve) => releases.push(() => resolve('done'))), metrics);
    const job = {} as Job;
    const first = processor(job, 'token');
    const second = processor(job, 'token');
    const third = other(job, 'token');

    const during = await registry.metrics();
    expect(metricValue(during, 'floodgate_jobs_active', { type: 'sentiment' })).toBe(3);

    releases[0]?.(true);
    releases[1]?.(false);
    releases[2]?.(true);
    await expect(first).resolves.toBe('done');
    await expect(second).rejects.toThrow('boom');
    await expect(third).resolves.toBe('done');

    const after = await registry.metrics();
    expect(metricValue(after, 'floodgate_jobs_active', { type: 'sentiment' })).toBe(0);
    expect(metricValue(after, 'floodgate_job_duration_seconds_count', { type: 'sentiment', status: 'completed' })).toBe(2);
    expect(metricValue(after, 'floodgate_job_duration_seconds_count', { type: 'sentiment', status: 'failed' })).toBe(1);
  });
});
