import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuPool } from './cpu-pool';
import { dictionaryChecksum } from './dictionary-checksum';
import { scoreSentiment } from './score-sentiment';

const pool = createCpuPool({ threads: 2 });
afterAll(() => pool.close());

describe('the CPU pool', () => {
  it('runs compute and sentiment on threads, with the same results as in-process', async () => {
    const payload = { n: 5, m: 1_000 };
    await expect(pool.run('compute', payload, new AbortController().signal)).resolves.toEqual(dictionaryChecksum(payload));
    const texts = [{ text: 'Brilliant support, terrible coffee.' }, { text: 'fine' }];
    await expect(pool.run('sentiment', texts, new AbortController().signal)).resolves.toEqual(texts.map(scoreSentiment));
  });

  it('stops the work when the signal aborts', async () => {
    const controller = new AbortController();
    // Far more work than a test would wait for: only the abort can end it.
    const run = pool.run('compute', { n: 10_000, m: 2_000 }, controller.signal);
    setTimeout(() => controller.abort(new Error('job_timeout: test')), 50);
    await expect(run).rejects.toThrow();
    // The pool still serves afterwards (the aborted thread was replaced).
    await expect(pool.run('compute', { n: 1, m: 1 }, new AbortController().signal)).resolves.toMatchObject({ checksum: '6c1151a5' });
  });

  // Seconds of CPU per thread: on a shared, loaded machine it outlasts vitest's 5 s default.
  it('keeps the main event loop responsive while every thread computes (loose check)', { timeout: 60_000 }, async () => {
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    // One round of a million keys blocks a thread for hundreds of milliseconds;
    // on the main thread it would show up whole in the event-loop delay.
    await Promise.all([1, 2].map(() => pool.run('compute', { n: 2, m: 1_000_000 }, new AbortController().signal)));
    histogram.disable();
    expect(histogram.percentile(99) / 1e6).toBeLessThan(100);
  });
});
