import { describe, expect, test } from 'vitest';
import { createCpuPool, type CpuPool } from './cpu-pool';
import { dictionaryChecksum } from '../job-functions/compute';
import { scoreSentiment } from '../job-functions/sentiment';

/** A pool of two threads of the test's own (tests abort its work and warm its threads), closed after it. */
const it = test.extend<{ pool: CpuPool }>({
  // eslint-disable-next-line no-empty-pattern
  pool: async ({}, use) => {
    const pool = createCpuPool({ threads: 2 });
    await use(pool);
    await pool.close();
  },
});

describe('the CPU pool', () => {
  it('runs compute and sentiment on threads, with the same results as in-process', async ({ pool }) => {
    const payload = { n: 5, m: 1_000 };
    await expect(pool.run('compute', payload, new AbortController().signal)).resolves.toEqual(dictionaryChecksum(payload));
    const texts = [{ text: 'Brilliant support, terrible coffee.' }, { text: 'fine' }];
    await expect(pool.run('sentiment', texts, new AbortController().signal)).resolves.toEqual(texts.map(scoreSentiment));
  });

  it('stops the work when the signal aborts', async ({ pool }) => {
    const controller = new AbortController();
    // Far more work than a test would wait for: only the abort can end it.
    const run = pool.run('compute', { n: 10_000, m: 2_000 }, controller.signal);
    setTimeout(() => controller.abort(new Error('job_timeout: test')), 50);
    await expect(run).rejects.toThrow();
    // The pool still serves afterwards (the aborted thread was replaced).
    await expect(pool.run('compute', { n: 1, m: 1 }, new AbortController().signal)).resolves.toMatchObject({ checksum: '6c1151a5' });
  });

  it('leaves the main event loop free while every thread computes', async ({ pool }) => {
    // Threads start on demand: warm both, so the runs below go straight to a thread.
    await Promise.all([1, 2].map(() => pool.run('compute', { n: 1, m: 1 }, new AbortController().signal)));
    const controllers = [1, 2].map(() => new AbortController());
    let settled = 0;
    // Far more work than the test waits for: only the abort ends it.
    const runs = controllers.map((controller) =>
      pool.run('compute', { n: 1_000_000, m: 100_000 }, controller.signal).then(
        () => (settled += 1),
        () => (settled += 1),
      ),
    );
    // Work on the main thread would hold these timers until it finished, which it never does.
    for (let tick = 0; tick < 20; tick += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(0);
    for (const controller of controllers) controller.abort(new Error('job_cancelled: test'));
    await Promise.all(runs);
    expect(settled).toBe(2);
  });
});
