import { Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import { dictionaryChecksum } from '../job-functions/compute';
import type { RunningWorkers } from './start-workers';
import { harnessTest } from '../testing/harness-test';
import { metricValue } from '@floodgate/testkit';

/** Every test here runs with every catalog type's workers on its prefix, ready to take jobs. */
const it = harnessTest.extend<{ running: RunningWorkers }>({
  running: [
    async ({ workers }, use) => {
      const running = workers();
      await Promise.all(running.workers.map((worker) => worker.waitUntilReady()));
      await use(running);
    },
    { auto: true },
  ],
});

describe('startWorkers', () => {
  it('runs one worker per catalog type, with its catalog concurrency', ({ running }) => {
    expect(running.workers.map((worker) => [worker.name, worker.concurrency])).toEqual([
      ['sentiment', 64],
      ['page-extract', 16],
      ['compute', 2],
    ]);
  });

  it('scores a positive text as positive and lists its positive words', async ({ harness, prefix }) => {
    const job = await harness.settled(await harness.add(prefix, 'sentiment', { text: 'I love this wonderful, amazing day.' }));
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue.score).toBeGreaterThan(0);
    expect(job.returnvalue.comparative).toBeGreaterThan(0);
    expect(job.returnvalue.positive).toEqual(expect.arrayContaining(['love', 'wonderful', 'amazing']));
    expect(job.returnvalue.negative).toEqual([]);
    expect(job.returnvalue.tokens).toBe(6);
  });

  it('computes a deterministic checksum, with operations = n * m', async ({ harness, prefix }) => {
    const payload = { n: 30, m: 1_000 };
    const [first, second] = await Promise.all([
      harness.add(prefix, 'compute', payload).then(harness.settled),
      harness.add(prefix, 'compute', payload).then(harness.settled),
    ]);
    expect(first?.returnvalue).toEqual({ ...dictionaryChecksum(payload), operations: 30_000, n: 30, m: 1_000 });
    expect(second?.returnvalue.checksum).toBe(first?.returnvalue.checksum);
  });

  it('fails an invalid payload with invalid_payload and does not retry it', async ({ harness, prefix }) => {
    const job = await harness.settled(await harness.addRaw(prefix, 'sentiment', { text: '', extra: true }));
    expect(job.opts.attempts).toBeGreaterThan(1);
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^invalid_payload: /);
    expect(job.failedReason).toContain('text:');
    expect(job.failedReason).toContain('extra');
  });

  it('fails a compute payload beyond the operations cap the same way', async ({ harness, prefix }) => {
    const job = await harness.settled(await harness.addRaw(prefix, 'compute', { n: 10_000, m: 1_000_000 }));
    expect(job.failedReason).toMatch(/^invalid_payload: n: n \* m must be at most/);
    expect(job.attemptsMade).toBe(1);
  });

  it('measures every attempt: duration by type and outcome, active jobs back to zero, BullMQ throughput on', async ({ harness, prefix }) => {
    // Attempts of this test's own: a sentiment job completed, one failed, a compute job.
    await Promise.all([
      harness.add(prefix, 'sentiment', { text: 'I love this wonderful, amazing day.' }).then(harness.settled),
      harness.addRaw(prefix, 'sentiment', { text: '', extra: true }).then(harness.settled),
      harness.add(prefix, 'compute', { n: 2, m: 10 }).then(harness.settled),
    ]);
    const text = await harness.registry.metrics();
    expect(metricValue(text, 'floodgate_job_duration_seconds_count', { type: 'sentiment', status: 'completed' })).toBeGreaterThan(0);
    expect(metricValue(text, 'floodgate_job_duration_seconds_count', { type: 'sentiment', status: 'failed' })).toBeGreaterThan(0);
    expect(metricValue(text, 'floodgate_jobs_active', { type: 'compute' })).toBe(0);
    expect(metricValue(text, 'nodejs_eventloop_lag_p99_seconds', { app: 'worker-test' })).toBeGreaterThanOrEqual(0);
    const queue = new Queue('sentiment', { connection: harness.connection, prefix });
    // Bull Board's throughput chart reads these per-minute counts.
    expect((await queue.getMetrics('completed')).meta.count).toBeGreaterThan(0);
    await queue.close();
  });
});
